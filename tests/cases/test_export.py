"""Export of the case list to CSV and XLSX: exact content, formula-injection guard, constant queries, access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from anticor import access
from anticor.access import Role
from anticor.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, neutralize
from anticor.models import AccessAction, AccessLog, Article, Department, StateBody
from cases.choices import CaseStatus, SubjectRole
from cases.exports import cases_export
from cases.models import Case, RootCause, RootCauseCategory, Sector, Subject
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ALMATY = "75 — Департамент Агентства по противодействию коррупции по городу Алматы"
AKIMAT = "Акимат города Алматы"
HEALTH_MINISTRY = "Министерство здравоохранения Республики Казахстан"
HEADER = [
    "Номер ЕРДР",
    "Дата регистрации",
    "Департамент",
    "Статьи УК",
    "Госорган",
    "Сфера",
    "Статус",
    "Ущерб, тенге",
    "Возмещено, тенге",
    "Участники",
    "Причины и условия",
    "Следователь",
]


def add_root_cause(case: Case) -> RootCause:
    cause = RootCause.objects.create(
        department=case.department,
        category=RootCauseCategory.objects.get(code="opacity"),
        description="Закрытый порядок распределения земельных участков",
        state_body=case.state_body,
        identified_on=dt.date(2026, 3, 10),
    )
    cause.cases.add(case)
    return cause


@pytest.fixture
def two_cases(make_user):
    """An older investigating case without subjects, and a newer one with two subjects (one removed) and causes,
    assigned to an investigator."""
    older = CaseFactory(
        registration_number="751000000000001",
        registered_on=dt.date(2026, 3, 2),
        state_body=StateBody.objects.get(name_ru=HEALTH_MINISTRY),
        sector=Sector.objects.get(code="health"),
        articles=["369"],
    )
    Case.objects.filter(pk=older.pk).update(status=CaseStatus.INVESTIGATING)
    newer = CaseFactory(
        registration_number="751000000000002",
        registered_on=dt.date(2026, 3, 5),
        articles=["367", "366"],
        damage_amount=Decimal("1500000.50"),
        recovered_amount=Decimal("500000.00"),
        investigator=make_user(Role.INVESTIGATOR, last_name="Жумабаев", first_name="Ерлан", middle_name="Асетович"),
    )
    Subject.objects.create(
        case=newer, full_name="Серикбаев Нурлан Маратович", iin="900101300007", role=SubjectRole.SUSPECT
    )
    Subject.objects.create(
        case=newer, full_name="Исключённый Участник", iin="850515400002", role="witness", is_removed=True
    )
    Subject.objects.create(case=newer, full_name="Ахметова Алия Сериковна", iin="850515400002", role="witness")
    add_root_cause(newer)
    add_root_cause(newer)
    return older, newer


@pytest.fixture
def investigator(make_user):
    return make_user(Role.INVESTIGATOR, department="75")


def test_csv_export_has_bom_semicolons_and_exact_rows(investigator, two_cases):
    # When the investigator exports their cases to CSV
    content, content_type, filename = cases_export(user=investigator, queryset=Case.objects.all(), fmt="csv")

    # Then it is UTF-8 with a BOM, semicolon-separated, newest first, with exactly these values
    assert content_type == CSV_CONTENT_TYPE == "text/csv; charset=utf-8"
    assert filename.startswith("cases-")
    assert filename.endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").split("\r\n") == [
        ";".join(HEADER),
        f"751000000000002;05.03.2026;{ALMATY};366, 367;{AKIMAT};Земельные отношения;Зарегистрировано;"
        "1500000,50;500000,00;Серикбаев Нурлан Маратович, Ахметова Алия Сериковна;2;Жумабаев Ерлан Асетович",
        f"751000000000001;02.03.2026;{ALMATY};369;{HEALTH_MINISTRY};Здравоохранение;Расследуется;0,00;0,00;;0;",
        "",
    ]


def test_xlsx_export_has_a_bold_header_typed_cells_and_exact_rows(investigator, two_cases):
    # When the investigator exports their cases to XLSX
    content, content_type, filename = cases_export(user=investigator, queryset=Case.objects.all(), fmt="xlsx")

    # Then the workbook holds the header and the two cases, numbers and dates as such
    assert content_type == XLSX_CONTENT_TYPE
    assert filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [list(values) for values in sheet.iter_rows(values_only=True)] == [
        HEADER,
        [
            "751000000000002",
            dt.datetime(2026, 3, 5, 0, 0),
            ALMATY,
            "366, 367",
            AKIMAT,
            "Земельные отношения",
            "Зарегистрировано",
            1500000.5,
            500000,
            "Серикбаев Нурлан Маратович, Ахметова Алия Сериковна",
            2,
            "Жумабаев Ерлан Асетович",
        ],
        [
            "751000000000001",
            dt.datetime(2026, 3, 2, 0, 0),
            ALMATY,
            "369",
            HEALTH_MINISTRY,
            "Здравоохранение",
            "Расследуется",
            0,
            0,
            None,
            0,
            None,
        ],
    ]
    assert [cell.font.bold for cell in sheet[1]] == [True] * len(HEADER)
    assert [cell.font.bold for cell in sheet[2]] == [False] * len(HEADER)
    assert (sheet["B2"].number_format, sheet["H2"].number_format) == ("DD.MM.YYYY", "#,##0.00")
    assert [sheet.column_dimensions[letter].width for letter in "ABCJ"] == [18, 14, 50, 50]
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_evaluate_is_neutralized(prefix):
    assert neutralize(f"{prefix}1+1") == f"'{prefix}1+1"
    assert neutralize("Иванов =1+1") == "Иванов =1+1"
    assert neutralize("") == ""


def test_formulas_in_exported_text_are_shown_not_run(investigator):
    # Given a case whose state body and subject names look like formulas
    body = StateBody.objects.create(name_ru='=HYPERLINK("http://evil","x")', kind="other")
    case = CaseFactory(registration_number="751000000000003", state_body=body)
    Subject.objects.create(case=case, full_name="@SUM(1+1)*cmd|' /C calc'!A0", iin="900101300007", role="suspect")
    Subject.objects.create(case=case, full_name="-2+3", iin="850515400002", role="witness")

    # When it is exported to CSV and to XLSX
    csv_content, _type, _name = cases_export(user=investigator, queryset=Case.objects.all(), fmt="csv")
    xlsx_content, _type, _name = cases_export(user=investigator, queryset=Case.objects.all(), fmt="xlsx")

    # Then each such cell starts with an apostrophe, and the XLSX holds strings, not formulas
    [_header, values] = list(csv.reader(io.StringIO(csv_content.decode("utf-8-sig")), delimiter=";"))
    assert (values[4], values[9]) == ('\'=HYPERLINK("http://evil","x")', "'@SUM(1+1)*cmd|' /C calc'!A0, -2+3")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_content)).worksheets[0]
    assert (sheet["E2"].value, sheet["E2"].data_type) == ('\'=HYPERLINK("http://evil","x")', "s")
    assert (sheet["J2"].value, sheet["J2"].data_type) == ("'@SUM(1+1)*cmd|' /C calc'!A0, -2+3", "s")


def make_cases(count: int) -> None:
    state_body = StateBody.objects.get(name_ru=AKIMAT)
    articles = list(Article.objects.filter(code__in=["366", "367"]))
    for _ in range(count):
        case = CaseFactory(state_body=state_body, articles=[a.code for a in articles])
        Subject.objects.create(case=case, full_name="Серикбаев Нурлан", iin="900101300007", role="suspect")
        add_root_cause(case)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_number_of_queries_does_not_grow_with_the_rows(investigator, django_assert_num_queries, fmt):
    # Given warm caches (roles of the user, content types), as in a request after the list page
    access.user_roles(investigator)
    ContentType.objects.get_for_model(Case)

    # Cases, articles, subjects, and the access-log insert: the same four queries for 3 and for 30 cases
    make_cases(3)
    with django_assert_num_queries(4):
        content, _type, _name = cases_export(user=investigator, queryset=Case.objects.all(), fmt=fmt)
    assert content
    make_cases(27)
    with django_assert_num_queries(4):
        content, _type, _name = cases_export(user=investigator, queryset=Case.objects.all(), fmt=fmt)
    if fmt == "csv":
        assert len(content.decode("utf-8-sig").split("\r\n")) == 1 + 30 + 1


def test_an_export_is_written_to_the_access_log(investigator, two_cases):
    # Given a request for the export
    request = RequestFactory().get("/cases/export/?fmt=csv&status=registered", REMOTE_ADDR="10.0.0.7")
    request.user = investigator
    before = AccessLog.objects.count()

    # When the export is made
    cases_export(user=investigator, queryset=Case.objects.filter(status="registered"), fmt="csv", request=request)

    # Then exactly one access-log row says who exported what, from where
    assert AccessLog.objects.count() == before + 1
    entry = AccessLog.objects.latest("id")
    assert (entry.user, entry.action, entry.content_type.model_class(), entry.object_id, entry.path, entry.ip) == (
        investigator,
        AccessAction.EXPORT,
        Case,
        "",
        "/cases/export/?fmt=csv&status=registered",
        "10.0.0.7",
    )


def test_the_export_never_includes_cases_outside_the_users_scope(investigator, two_cases):
    # Given a case of another department, and a queryset that forgot to scope
    CaseFactory(registration_number="711000000000001", department_code="71")

    # When the Almaty investigator exports it
    content, _type, _name = cases_export(user=investigator, queryset=Case.objects.all(), fmt="csv")

    # Then only the Almaty cases are in the file
    numbers = [line.split(";")[0] for line in content.decode("utf-8-sig").split("\r\n")[1:] if line]
    assert numbers == ["751000000000002", "751000000000001"]
    assert Department.objects.get(code="71").cases.count() == 1


def test_an_unknown_format_is_refused_and_not_logged(investigator):
    before = AccessLog.objects.count()
    with pytest.raises(ValueError, match="unsupported export format 'pdf'"):
        cases_export(user=investigator, queryset=Case.objects.all(), fmt="pdf")
    assert AccessLog.objects.count() == before
