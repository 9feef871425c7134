"""factory_boy factories for the Django models. Regions and sectors come from the data
migration, so factories pick existing ones instead of inventing reference data."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from survey_platform.core.roles import LEADERSHIP_GROUP, OFFICE_GROUP
from survey_platform.network.models import Region, Sector, Station, StationMembership, StationRole


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


def office_user(**kwargs: object):
    return UserFactory(groups=[OFFICE_GROUP], is_staff=True, **kwargs)


def leader_user(**kwargs: object):
    return UserFactory(groups=[LEADERSHIP_GROUP], **kwargs)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"测试站点{n}")
    host_institution = factory.Sequence(lambda n: f"测试单位{n}")
    region = factory.LazyFunction(lambda: Region.objects.filter(level="county").first())
    sector = factory.LazyFunction(lambda: Sector.objects.first())
    frame_size = 100


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StationMembership

    user = factory.SubFactory(UserFactory)
    station = factory.SubFactory(StationFactory)
    role = StationRole.SURVEYOR


#: A mobile number planted in an open answer: no output may ever show it.
PLANTED_PHONE = "13912345678"


def add_simulated_responses(
    wave, stations, per_station: int = 60, seed: int = 1, edit=None
) -> None:
    """Complete responses to the standard questionnaire, simulated per station. The first
    respondent's K1 carries ``PLANTED_PHONE``; ``edit(docs)`` may plant more."""
    import numpy as np

    from analysis.simulate import simulate_answers
    from instruments.standard import load_standard
    from survey_platform.fieldwork.models import Response

    labels = np.repeat(np.arange(len(stations)), per_station)
    docs = list(simulate_answers(load_standard(), labels.size, seed=seed, station=labels))
    docs[0]["K1"] = f"科研经费太少，报销手续繁琐，请联系我{PLANTED_PHONE}"
    if edit is not None:
        edit(docs)
    Response.objects.bulk_create(
        Response(
            wave=wave,
            station=stations[int(k)],
            instrument_version=wave.instrument_version,
            answers={**doc, "A1": doc.get("A1", "1")},
            status="complete",
        )
        for k, doc in zip(labels, docs, strict=True)
    )
