"""The main case flow in a real browser: register with subjects, fix a bad IIN, add a root cause and a
recommendation, and as head terminate the case with a ground."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from anticor.access import Role
from anticor.models import Article, StateBody
from cases.models import Case, Recommendation, RootCause
from tests.e2e.steps import sign_in, sign_out
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "751234567890555"


def test_register_fix_iin_add_cause_and_recommendation_then_head_terminates(page):
    call_command("load_reference", verbosity=0)
    UserFactory(username="investigator", roles=[Role.INVESTIGATOR], department_code="75")
    UserFactory(username="head", roles=[Role.DEPARTMENT_HEAD], department_code="75")
    akimat = StateBody.objects.get(name_ru="Акимат города Алматы")

    # The investigator registers a case with two subjects, one with a wrong IIN check digit.
    sign_in(page, "investigator")
    page.goto("/cases/new/")
    page.fill("[name=registration_number]", NUMBER)
    page.fill("[name=registered_on]", "2026-03-10")
    page.check(f"input[name=articles][value='{Article.objects.get(code='366').pk}']")
    page.select_option("[name=state_body]", str(akimat.pk))
    page.select_option("[name=sector]", label="Земельные отношения")
    page.fill("[name=summary]", "Взятка за выделение земельного участка вне очереди")
    page.fill("[name=damage_amount]", "5000000")
    page.fill("[name=recovered_amount]", "1000000")
    page.fill("[name=subjects-0-full_name]", "Серикбаев Нурлан Маратович")
    page.fill("[name=subjects-0-iin]", "900101300007")
    page.select_option("[name=subjects-0-role]", "suspect")
    page.locator("button[name=add_subject]").click()
    page.wait_for_selector("[name=subjects-1-full_name]")
    assert page.input_value("[name=subjects-0-full_name]") == "Серикбаев Нурлан Маратович"  # typed data kept
    page.fill("[name=subjects-1-full_name]", "Омарова Дана Сериковна")
    page.fill("[name=subjects-1-iin]", "850515400003")
    page.select_option("[name=subjects-1-role]", "witness")
    page.locator("button[type=submit]:not([name])").last.click()
    page.wait_for_load_state()
    assert "Неверная контрольная цифра ИИН." in page.content()
    assert not Case.objects.filter(registration_number=NUMBER).exists()

    page.fill("[name=subjects-1-iin]", "850515400002")
    page.locator("button[type=submit]:not([name])").last.click()
    page.wait_for_url(lambda url: urlsplit(url).path == f"/cases/{NUMBER}/")
    case = Case.objects.get(registration_number=NUMBER)
    assert sorted(case.subjects.values_list("iin", flat=True)) == ["850515400002", "900101300007"]

    # A root cause behind the case, then a recommendation to the akimat to remove it.
    page.goto(f"/cases/root-causes/new/?case={NUMBER}")
    page.select_option("[name=category]", label="Избыточные дискреционные полномочия")
    page.fill("[name=description]", "Решение о выделении участков принимает один чиновник без конкурса")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/cases/root-causes/"))
    cause = RootCause.objects.get()
    assert list(cause.cases.all()) == [case]

    page.goto(f"/cases/recommendations/new/?root_cause={cause.pk}")
    page.fill("[name=number]", "75-2026-0001")
    page.select_option("[name=addressee]", str(akimat.pk))
    page.fill("[name=measures-0-description]", "Ввести электронный аукцион на право аренды участков")
    page.fill("[name=measures-0-responsible_person]", "Заместитель акима")
    page.locator("form button[type=submit]:not([name])").last.click()
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/cases/recommendations/"))
    recommendation = Recommendation.objects.get()
    assert list(recommendation.root_causes.all()) == [cause]
    assert recommendation.measures.count() == 1
    sign_out(page)

    # The head moves the case to investigation and terminates it with a ground.
    Case.objects.filter(pk=case.pk).update(status="investigating")
    sign_in(page, "head")
    page.goto(f"/cases/{NUMBER}/")
    page.select_option("[name=to]", "terminated")
    page.fill("[name=reason]", "Постановление о прекращении")
    page.select_option("[name=termination_ground]", label="Отсутствие в деянии состава уголовного правонарушения")
    page.locator(f"form[action='/cases/{NUMBER}/transition/'] button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path == f"/cases/{NUMBER}/")
    case.refresh_from_db()
    assert (case.status, case.termination_ground.code) == ("terminated", "no_corpus_delicti")
    assert "Прекращено" in page.content()
