"""The collegium report as XLSX: exact cells read back with openpyxl, one sheet per section, formula-injection
guard, the download in the access log."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from anticor.access import Role
from anticor.indicators.models import IndicatorRestatement, IndicatorRun, IndicatorValue, LockedPeriod, RunStatus
from anticor.indicators.registry import registry
from anticor.models import AccessAction, AccessLog, Department
from cases.models import RootCause, RootCauseCategory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def run():
    return IndicatorRun.objects.create(trigger="command", reason="test", status=RunStatus.SUCCEEDED)


def put(run, code, period, value, numerator=None, denominator=None, scope="agency"):
    return IndicatorValue.objects.create(
        code=code,
        scope=scope,
        department=None if scope == "agency" else Department.objects.get(code=scope),
        period=period,
        value=None if value is None else Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        formula_version=registry.get(code).version,
        run=run,
        computed_at=timezone.now(),
    )


@pytest.fixture
def analyst(make_user, client):
    user = make_user(Role.ANALYST, department="00", first_name="Айгерим", last_name="Сапарова")
    client.force_login(user)
    return user


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="collegium-2022-H1.xlsx"'
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_holds_every_section_with_exact_cells(client, analyst, run):
    put(run, "root_cause_coverage", "2022-H1", "62.5", 5, 8)
    put(run, "root_cause_coverage", "2021-H2", "50", 4, 8)
    put(run, "end_of_period_registrations", "2022-H1", "25", 5, 20, scope="75")
    put(run, "cases_registered", "2022-H1", "20", 20, scope="75")
    put(run, "staff_disciplined", "2022-H1", "142", 142)
    put(run, "staff_convicted", "2022-H1", "2", 2)
    put(run, "staff_dismissed_negative", "2022-H1", "5", 5)
    put(run, "integrity_checks_conducted", "2022-H1", "12", 12)
    put(run, "integrity_check_fail_rate", "2022-H1", "25", 3, 12)
    body = CaseFactory().state_body
    category = RootCauseCategory.objects.order_by("code").first()
    for code in ("75", "71"):
        RootCause.objects.create(
            department=Department.objects.get(code=code),
            category=category,
            description="Причина",
            state_body=body,
            identified_on=dt.date(2022, 4, 1),
        )

    book = workbook(client.get("/indicators/collegium/report.xlsx?period=2022-H1"))

    assert book.sheetnames == ["Показатели", "Личный состав", "Причины", "Утверждение"]
    indicators = rows(book["Показатели"])
    assert indicators[0] == [
        "Охват",
        "Код",
        "Показатель",
        "Прежний показатель",
        "2022-H1",
        "2021-H2",
        "Изменение",
        "Числитель",
        "Знаменатель",
        "Единица",
        "Сигнал",
    ]
    by_key = {(row[0], row[1]): row for row in indicators[1:]}
    assert len(indicators) == 1 + len(registry) * 2  # the agency and department 75 (the only one with values)
    assert by_key[("Агентство в целом", "root_cause_coverage")] == [
        "Агентство в целом",
        "root_cause_coverage",
        "Охват причин и условий",
        "нет",
        62.5,
        50,
        12.5,
        5,
        8,
        "%",
        None,
    ]
    almaty = Department.objects.get(code="75")
    assert by_key[(f"75 — {almaty.name}", "end_of_period_registrations")][4:] == [
        25,
        None,
        None,
        5,
        20,
        "%",
        "выше порога",
    ]
    assert by_key[(f"75 — {almaty.name}", "cases_registered")][3:6] == ["да", 20, None]
    assert rows(book["Личный состав"])[:2] == [
        [
            "Охват",
            "Осуждено за коррупцию",
            "Привлечено к дисциплинарной ответственности",
            "Уволено по отрицательным мотивам",
            "Проверок на добропорядочность",
            "Не пройдено",
            "Проверок с результатом",
            "Доля не пройденных, %",
        ],
        ["Агентство в целом", 2, 142, 5, 12, 3, 12, 25],
    ]
    assert rows(book["Причины"]) == [
        ["Категория", "Код", "Возобновилось", "Департаментов", "Выявлено причин", "Устранено"],
        [category.name_ru, category.code, 0, 2, 2, 0],
    ]
    approval = rows(book["Утверждение"])
    assert approval[:2] == [
        ["Период", "2022-H1", None, None, None, None],
        ["Состояние", "не утверждён", None, None, None, None],
    ]

    log = AccessLog.objects.get()
    assert (log.user, log.action, log.content_type) == (
        analyst,
        AccessAction.EXPORT,
        ContentType.objects.get_for_model(IndicatorValue),
    )
    assert log.path == "/indicators/collegium/report.xlsx?period=2022-H1"


def test_the_xlsx_shows_the_approval_and_restatements_and_never_a_formula(client, analyst, run):
    put(run, "root_cause_coverage", "2022-H1", "60", 6, 10)
    lock = LockedPeriod.objects.create(period="2022-H1", approved_by=analyst, note='=HYPERLINK("http://x")')
    IndicatorRestatement.objects.create(
        code="root_cause_coverage",
        scope="agency",
        period="2022-H1",
        old_value=Decimal(60),
        old_numerator=Decimal(6),
        old_denominator=Decimal(10),
        new_value=Decimal("54.5455"),
        new_numerator=Decimal(6),
        new_denominator=Decimal(11),
        reason="Дело 751000000000001 внесено после утверждения",
        run=run,
    )

    book = workbook(client.get("/indicators/collegium/report.xlsx?period=2022-H1"))

    approval = [row[:5] for row in rows(book["Утверждение"])]
    assert approval[1] == ["Состояние", "утверждён", None, None, None]
    assert approval[2] == ["Утвердил", analyst.display_name, None, None, None]
    approved_at = timezone.localtime(lock.approved_at).replace(tzinfo=None)
    assert approval[3][0] == "Когда"
    assert abs(approval[3][1] - approved_at) < dt.timedelta(seconds=1)
    assert approval[4] == ["Примечание", '\'=HYPERLINK("http://x")', None, None, None]
    assert book["Утверждение"]["B5"].data_type == "s"
    assert approval[6][0] == "Пересмотры утверждённых значений"
    assert approval[8] == [
        "root_cause_coverage",
        "agency",
        60,
        54.5455,
        "Дело 751000000000001 внесено после утверждения",
    ]


def test_a_bad_period_gives_no_file_and_no_log_entry(client, analyst):
    response = client.get("/indicators/collegium/report.xlsx?period=2022-Q2")
    assert response.status_code == 400
    assert not AccessLog.objects.exists()
