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
