"""The audit trail: who changed what (old → new), through which channel, from which address."""

from __future__ import annotations

import subprocess

import pytest
from pghistory.models import Events

from anticor.access import Role
from anticor.models import Region, StateBody
from cases.models import TerminationGround
from tests.utils import ROOT, child_env, manage

pytestmark = pytest.mark.django_db


def events_of(obj):
    return list(Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))


def test_web_change_records_user_source_address_and_diff(client, make_user):
    # Given an analyst with access to the admin site
    analyst = make_user(Role.ANALYST, is_staff=True)
    region = Region.objects.get(code="71")
    client.force_login(analyst)
    # When they rename the region through the web UI
    response = client.post(
        f"/admin/anticor/region/{region.pk}/change/",
        {
            "code": "71",
            "kind": "city",
            "name_ru": "г. Астана (столица)",
            "name_kk": region.name_kk,
            "former_names": region.former_names,
            "is_active": "on",
        },
        REMOTE_ADDR="192.0.2.10",
    )
    # Then the change is saved and the trail says who, how, from where, and what changed
    assert response.status_code == 302, response.content
    last = events_of(region)[-1]
    assert last.pgh_label == "update"
    assert last.pgh_diff == {"name_ru": ["г. Астана", "г. Астана (столица)"]}
    assert last.pgh_context["user"] == analyst.pk
    assert last.pgh_context["source"] == "web"
    assert last.pgh_context["ip"] == "192.0.2.10"
    assert last.pgh_context["url"] == f"/admin/anticor/region/{region.pk}/change/"


def test_bulk_update_is_caught_by_the_trigger():
    Region.objects.filter(code__in=["71", "75"]).update(is_active=False)
    for code in ["71", "75"]:
        last = events_of(Region.objects.get(code=code))[-1]
        assert last.pgh_diff == {"is_active": [True, False]}


def test_history_page_shows_the_change_with_actor(client, make_user):
    analyst = make_user(Role.ANALYST, is_staff=True, last_name="Сапарова", first_name="Айгерим")
    client.force_login(analyst)
    body = StateBody.objects.order_by("pk").first()
    client.post(
        f"/admin/anticor/statebody/{body.pk}/change/",
        {
            "name_ru": body.name_ru,
            "name_kk": body.name_kk,
            "kind": body.kind,
            "region": body.region_id or "",
            "bin": "",
            "is_active": "",
        },
    )
    response = client.get(f"/history/anticor/statebody/{body.pk}/")
    assert response.status_code == 200
    newest = response.context["entries"][0]
    assert (newest.label, newest.actor, newest.source) == ("Изменение", "Сапарова Айгерим", "веб-интерфейс")
    assert [(c.field, c.old, c.new) for c in newest.changes] == [("действует", "да", "нет")]


def test_history_of_a_record_the_user_may_not_see_is_404(client, make_user):
    client.force_login(make_user())  # no role at all
    region = Region.objects.get(code="75")
    assert client.get(f"/history/anticor/region/{region.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/history/anticor/nosuchmodel/1/",
        "/history/auth/permission/1/",
        "/history/anticor/region/abc/",
        "/history/anticor/region/99999999/",
        "/history/no.app/x/1/",
    ],
)
def test_history_with_bad_parameters_is_404(client, make_user, url):
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_command_change_records_the_command_and_its_actor():
    # Given reference data (transactional tests start empty) and an analyst's edit of a ground
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    ground = TerminationGround.objects.get(code="amnesty")
    TerminationGround.objects.filter(pk=ground.pk).update(rehabilitating=True)
    # When an operator restores the reference values with the command, as user "operator1"
    result = subprocess.run(
        manage("load_reference", "--update", "--verbosity", "0"),
        env=child_env(ANTICOR_ACTOR="operator1"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Then the trail attributes the change to the command and the actor
    last = events_of(ground)[-1]
    assert last.pgh_diff == {"rehabilitating": [True, False]}
    assert last.pgh_context["source"] == "command"
    assert last.pgh_context["command"] == "load_reference"
    assert last.pgh_context["actor"] == "operator1"
    assert last.pgh_context["os_user"]
