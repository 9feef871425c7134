from __future__ import annotations

import copy
import os

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests explore the same examples on every run (CI must not turn red at random);
# new edge cases are found by running with HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

pytest_plugins = ["tests.fieldwork.fixtures"]

# Django-dependent imports stay inside the fixtures, so the pure packages' tests
# (analysis, instruments' schema and logic) also run with `-p no:django`.


@pytest.fixture
def office(db):
    from tests.factories import office_user

    return office_user(username="office_admin")


@pytest.fixture
def leader(db):
    from tests.factories import leader_user

    return leader_user(username="leader_one")


@pytest.fixture
def station_a(db):
    from tests.factories import StationFactory

    return StationFactory(name="甲站", host_institution="甲单位")


@pytest.fixture
def station_b(db):
    from tests.factories import StationFactory

    return StationFactory(name="乙站", host_institution="乙单位")


@pytest.fixture
def officer_a(station_a):
    from tests.factories import MembershipFactory

    return MembershipFactory(station=station_a, user__username="officer_a").user


@pytest.fixture
def officer_b(station_b):
    from tests.factories import MembershipFactory

    return MembershipFactory(station=station_b, user__username="officer_b").user


def client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    return settings


SMALL = {
    "id": "t",
    "version": "1",
    "title": {"zh-hans": "测试问卷", "en": "Test questionnaire"},
    "languages": ["zh-hans", "en"],
    "default_language": "zh-hans",
    "choice_lists": [
        {
            "name": "yn",
            "choices": [
                {"code": "1", "label": {"zh-hans": "是", "en": "Yes"}},
                {"code": "2", "label": {"zh-hans": "否", "en": "No"}},
            ],
        }
    ],
    "groups": [{"code": "A", "label": {"zh-hans": "基本情况", "en": "About you"}, "page": True}],
    "items": [
        {
            "code": "A1",
            "type": "single",
            "label": {"zh-hans": "您目前主持科研项目吗？", "en": "Do you lead a project?"},
            "choices": "yn",
            "group": "A",
            "required": True,
        },
        {
            "code": "A2",
            "type": "integer",
            "label": {"zh-hans": "主持项目数", "en": "Number of projects"},
            "relevance": "${A1} = '1'",
            "constraint": ". <= 20",
            "constraint_message": {"zh-hans": "不超过20项", "en": "At most 20"},
            "group": "A",
            "min_value": 0,
            "max_value": 99,
        },
    ],
}


@pytest.fixture
def small_definition():
    return copy.deepcopy(SMALL)


@pytest.fixture
def reference_data(transactional_db):
    """Regions and sectors again after a transactional test flushed the database."""
    from survey_platform.network.models import Region, Sector
    from survey_platform.network.reference import ensure_reference_data

    ensure_reference_data(Region, Sector)


@pytest.fixture(autouse=True)
def _private_var_dir(request, tmp_path):
    """Files the code writes under VAR_DIR (ground truth, dataset caches) go to a
    temporary folder, never into the checkout's var/."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.VAR_DIR = tmp_path / "var"
    yield


@pytest.fixture(autouse=True)
def _requests_do_not_leak_language(request):
    """A test-client request activates the request's language (LocaleMiddleware) and
    leaves it active in the thread; put back what the test had, so code run after a
    request (services, jobs) speaks the language the test chose."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.signals import request_finished, request_started
    from django.utils import translation

    saved: list[str | None] = []

    def started(**kwargs):
        saved.append(translation.get_language())

    def finished(**kwargs):
        if saved:
            language = saved.pop()
            if language:
                translation.activate(language)
            else:
                translation.deactivate_all()

    request_started.connect(started, dispatch_uid="tests-language-started")
    request_finished.connect(finished, dispatch_uid="tests-language-finished")
    yield
    request_started.disconnect(dispatch_uid="tests-language-started")
    request_finished.disconnect(dispatch_uid="tests-language-finished")
