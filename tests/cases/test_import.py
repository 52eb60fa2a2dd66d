"""Import of cases from XLSX/CSV: every row and column checked, all errors reported, all or nothing saved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anticor.access import AccessDenied, Role
from anticor.models import StateBody
from cases.choices import CaseEventKind, CaseStatus
from cases.imports import (
    IMPORT_COLUMNS,
    MAX_FILE_SIZE,
    MAX_ROWS,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_SIZE,
    ImportResult,
    RowError,
    case_import,
    import_template_xlsx,
)
from cases.models import Case, CaseEvent
from cases.selectors import case_search
from tests.factories import CaseFactory
from tests.hostile import SHEET, blank_rows_xlsx, understated, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["Номер ЕРДР", "Дата регистрации", "Департамент", "Статьи УК", "Госорган", "Сфера", "Фабула", "Ущерб"]
HEADER += ["Возмещено", "Участники"]
FIELDS = [column.field for column in IMPORT_COLUMNS]
AKIMAT = "Акимат города Алматы"


def row(**overrides: object) -> list[object]:
    """A valid data row in HEADER order; keyword arguments (API field names) replace single cells."""
    values: dict[str, object] = {
        "registration_number": "751000000000001",
        "registered_on": "2026-03-02",
        "department": "75",
        "articles": "366",
        "state_body": AKIMAT,
        "sector": "land",
        "summary": "Получение взятки за выделение земельного участка",
        "damage_amount": "1000000",
        "recovered_amount": "0",
        "subjects": "Серикбаев Нурлан Маратович|900101300007|suspect",
    }
    values.update(overrides)
    return [values[name] for name in FIELDS]


def csv_upload(
    rows: list[list[object]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    name: str = "cases.csv",
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(
    rows: list[list[object]], *, header: list[str] = HEADER, name: str = "cases.xlsx"
) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def case_facts(case: Case) -> tuple:
    return (
        case.registration_number,
        case.registered_on,
        case.department.code,
        sorted(case.articles.values_list("code", flat=True)),
        case.state_body.name_ru,
        case.sector.code,
        case.summary,
        case.damage_amount,
        case.recovered_amount,
        case.status,
        [(s.full_name, s.iin, s.role) for s in case.subjects.order_by("id")],
    )


@pytest.fixture
def investigator(make_user):
    return make_user(Role.INVESTIGATOR, department="75")


# --- valid files -----------------------------------------------------------------------------------------------------


def test_a_valid_csv_creates_every_case_with_exact_values(investigator):
    # Given a semicolon CSV with a BOM, Russian headers, both date formats, comma decimals and role labels
    upload = csv_upload(
        [
            row(),
            row(
                registration_number="751000000000002",
                registered_on="05.03.2026",
                department="",
                articles="366; 367,369",
                state_body=" Акимат  города Алматы ",
                sector="procurement",
                summary="Хищение бюджетных средств при закупках",
                damage_amount="1 500 000,50",
                recovered_amount="500000,5",
                subjects="Ахметова Алия Сериковна|850515400002|Свидетель; Иванов Пётр|061211600012|осужденный",
            ),
        ]
    )

    # When the investigator imports it
    result = case_import(user=investigator, uploaded_file=upload)

    # Then both cases exist, as written, with their subjects, timeline event and search vector
    assert result == ImportResult(created=2, errors=[], rows=2, dry_run=False)
    assert result.ok
    cases = Case.objects.order_by("registration_number")
    assert [case_facts(case) for case in cases] == [
        (
            "751000000000001",
            dt.date(2026, 3, 2),
            "75",
            ["366"],
            AKIMAT,
            "land",
            "Получение взятки за выделение земельного участка",
            Decimal("1000000.00"),
            Decimal("0.00"),
            CaseStatus.REGISTERED,
            [("Серикбаев Нурлан Маратович", "900101300007", "suspect")],
        ),
        (
            "751000000000002",
            dt.date(2026, 3, 5),
            "75",
            ["366", "367", "369"],
            AKIMAT,
            "procurement",
            "Хищение бюджетных средств при закупках",
            Decimal("1500000.50"),
            Decimal("500000.50"),
            CaseStatus.REGISTERED,
            [
                ("Ахметова Алия Сериковна", "850515400002", "witness"),
                ("Иванов Пётр", "061211600012", "convicted"),
            ],
        ),
    ]
    assert list(CaseEvent.objects.filter(case__in=cases).values_list("kind", "actor")) == [
        (CaseEventKind.CREATED, investigator.pk),
        (CaseEventKind.CREATED, investigator.pk),
    ]
    assert [case.registration_number for case in case_search(Case.objects.all(), "Серикбаеву")] == ["751000000000001"]


def test_a_valid_xlsx_with_english_headers_and_typed_cells_is_imported(investigator):
    # Given an XLSX with the API field names as headers (any case), numeric and date cells, a state body by id
    health_ministry = StateBody.objects.get(name_ru="Министерство здравоохранения Республики Казахстан")
    header = [name.upper() if index % 2 else name for index, name in enumerate(FIELDS)]
    upload = xlsx_upload(
        [
            [
                751000000000003,
                dt.datetime(2026, 2, 1, 0, 0),
                75,
                366,
                health_ministry.pk,
                "Health",
                "Получение взятки главным врачом",
                250000.75,
                250000.75,
                "Серикбаев Нурлан Маратович | 900101300007 | accused\nАхметова Алия|850515400002|witness",
            ],
            [
                "751000000000004",
                dt.date(2026, 2, 2),
                None,
                "189",
                AKIMAT,
                "land",
                "Присвоение",
                None,
                None,
                None,
            ],
        ],
        header=header,
    )

    # When it is imported
    result = case_import(user=investigator, uploaded_file=upload)

    # Then both rows became cases with exactly these values
    assert result == ImportResult(created=2, errors=[], rows=2)
    assert [case_facts(case) for case in Case.objects.order_by("registration_number")] == [
        (
            "751000000000003",
            dt.date(2026, 2, 1),
            "75",
            ["366"],
            "Министерство здравоохранения Республики Казахстан",
            "health",
            "Получение взятки главным врачом",
            Decimal("250000.75"),
            Decimal("250000.75"),
            CaseStatus.REGISTERED,
            [("Серикбаев Нурлан Маратович", "900101300007", "accused"), ("Ахметова Алия", "850515400002", "witness")],
        ),
        (
            "751000000000004",
            dt.date(2026, 2, 2),
            "75",
            ["189"],
            AKIMAT,
            "land",
            "Присвоение",
            Decimal("0.00"),
            Decimal("0.00"),
            CaseStatus.REGISTERED,
            [],
        ),
    ]


def test_a_comma_separated_cp1251_csv_without_optional_columns_is_imported(investigator):
    # Given Excel's «CSV» from a Russian Windows: cp1251, commas, only the required columns, lower-case headers
    header = ["номер ердр", "дата регистрации", "статьи ук", "госорган", "сфера", "фабула"]
    upload = csv_upload(
        [["751000000000005", "01.03.2026", "366, 367", AKIMAT, "land", "Взятка, полученная через посредника"]],
        header=header,
        delimiter=",",
        encoding="cp1251",
    )

    # When it is imported
    result = case_import(user=investigator, uploaded_file=upload)

    # Then the case is in the user's department with zero amounts and no subjects
    assert result == ImportResult(created=1, errors=[], rows=1)
    case = Case.objects.get()
    assert case_facts(case) == (
        "751000000000005",
        dt.date(2026, 3, 1),
        "75",
        ["366", "367"],
        AKIMAT,
        "land",
        "Взятка, полученная через посредника",
        Decimal("0.00"),
        Decimal("0.00"),
        CaseStatus.REGISTERED,
        [],
    )


# --- bad rows: all or nothing, every error reported ----------------------------------------------------------------


def test_one_bad_row_among_good_ones_saves_nothing_and_reports_every_error(investigator):
    # Given three rows, the middle one wrong in four columns
    upload = csv_upload(
        [
            row(registration_number="751000000000001"),
            row(
                registration_number="75100000000002",
                registered_on="31.02.2026",
                articles="366, 999",
                subjects="Серикбаев Нурлан|900101300008|suspect; Без ИИН|witness",
            ),
            row(registration_number="751000000000003"),
        ]
    )

    # When it is imported
    result = case_import(user=investigator, uploaded_file=upload)

    # Then nothing is saved and each problem is reported with its row and column
    assert result.created == 0
    assert not result.ok
    assert result.errors == [
        RowError(3, "Номер ЕРДР", "Номер ЕРДР должен состоять ровно из 15 цифр."),
        RowError(3, "Дата регистрации", "Неверная дата: укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ."),
        RowError(3, "Статьи УК", "Неизвестные статьи УК: 999."),
        RowError(3, "Участники", "Участник 1: Неверная контрольная цифра ИИН."),
        RowError(3, "Участники", "Участник 2: ожидается «ФИО|ИИН|роль»."),
    ]
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


TOMORROW = "tomorrow"


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"registration_number": "75100000000001"}, "Номер ЕРДР", "Номер ЕРДР должен состоять ровно из 15 цифр."),
        ({"registration_number": "7510000000000x1"}, "Номер ЕРДР", "Номер ЕРДР должен состоять ровно из 15 цифр."),
        ({"registration_number": ""}, "Номер ЕРДР", "Обязательное поле не заполнено."),
        (
            {"subjects": "Серикбаев Нурлан|900101300008|suspect"},
            "Участники",
            "Участник 1: Неверная контрольная цифра ИИН.",
        ),
        (
            {"subjects": "Серикбаев Нурлан|900230300009|suspect"},
            "Участники",
            "Участник 1: ИИН содержит несуществующую дату рождения или неверную цифру века.",
        ),
        (
            {"subjects": "Серикбаев Нурлан|90010130000|suspect"},
            "Участники",
            "Участник 1: ИИН должен состоять ровно из 12 цифр.",
        ),
        (
            {"subjects": "Серикбаев Нурлан|900101300007|главарь"},
            "Участники",
            "Участник 1: неизвестная роль «главарь».",
        ),
        ({"subjects": "|900101300007|suspect"}, "Участники", "Участник 1: не указаны ФИО."),
        ({"registered_on": TOMORROW}, "Дата регистрации", "Дата регистрации не может быть в будущем."),
        ({"registered_on": "2026/03/02"}, "Дата регистрации", "Неверная дата: укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ."),
        (
            {"damage_amount": "100", "recovered_amount": "150"},
            "Возмещено",
            "Возмещённая сумма не может превышать сумму ущерба.",
        ),
        (
            {"damage_amount": "", "recovered_amount": "1"},
            "Возмещено",
            "Возмещённая сумма не может превышать сумму ущерба.",
        ),
        ({"damage_amount": "-5"}, "Ущерб", "Сумма не может быть отрицательной."),
        ({"damage_amount": "сто тысяч"}, "Ущерб", "Неверная сумма: сто тысяч."),
        ({"damage_amount": "10,005"}, "Ущерб", "Сумма указывается не более чем с двумя знаками после запятой."),
        ({"damage_amount": "1" + "0" * 16}, "Ущерб", "Слишком большая сумма."),
        ({"articles": "366, 999, 1000"}, "Статьи УК", "Неизвестные статьи УК: 999, 1000."),
        ({"articles": " ; "}, "Статьи УК", "Укажите хотя бы одну статью УК."),
        ({"sector": "gambling"}, "Сфера", "Неизвестная сфера: gambling."),
        ({"state_body": "Акимат города Алматы!"}, "Госорган", "Неизвестный госорган: Акимат города Алматы!."),
        ({"state_body": "999999"}, "Госорган", "Неизвестный госорган: 999999."),
        ({"department": "98"}, "Департамент", "Неизвестный департамент: 98."),
        ({"department": "71"}, "Департамент", "Нет прав на регистрацию дел департамента 71."),
        ({"summary": "   "}, "Фабула", "Обязательное поле не заполнено."),
    ],
)
def test_each_bad_value_is_reported_on_its_row_and_column_and_nothing_is_saved(
    investigator, overrides, column, message
):
    # Given a file with one good row and one row with a single bad value
    overrides = dict(overrides)
    if overrides.get("registered_on") == TOMORROW:
        overrides["registered_on"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    upload = csv_upload([row(registration_number="751000000000009"), row(**overrides)])

    # When it is imported
    result = case_import(user=investigator, uploaded_file=upload)

    # Then exactly that error is reported and no case is saved
    assert result == ImportResult(created=0, errors=[RowError(3, column, message)], rows=2)
    assert Case.objects.count() == 0


def test_a_number_already_in_the_database_or_twice_in_the_file_is_refused(investigator):
    # Given a case already registered (in another department) and a file repeating it, and a number used twice
    existing = CaseFactory(registration_number="711000000000001", department_code="71")
    upload = xlsx_upload(
        [
            row(registration_number="711000000000001"),
            row(registration_number="751000000000002"),
            row(registration_number="751000000000003"),
            row(registration_number="751000000000002"),
        ]
    )

    # When it is imported
    result = case_import(user=investigator, uploaded_file=upload)

    # Then both duplicates are reported and nothing is saved
    assert result.errors == [
        RowError(2, "Номер ЕРДР", "Дело с таким номером ЕРДР уже зарегистрировано."),
        RowError(5, "Номер ЕРДР", "Номер ЕРДР повторяется: он уже указан в строке 3."),
    ]
    assert result.created == 0
    assert list(Case.objects.values_list("registration_number", flat=True)) == [existing.registration_number]


def test_a_user_without_a_department_must_name_one(make_user):
    # Given an investigator not attached to a department, and a file without the department column
    user = make_user(Role.INVESTIGATOR, department=None)
    header = [h for h in HEADER if h != "Департамент"]
    values = row()
    del values[FIELDS.index("department")]

    # When it is imported
    result = case_import(user=user, uploaded_file=csv_upload([values], header=header))

    # Then the row is refused for want of a department
    assert result.errors == [RowError(2, "Департамент", "Укажите департамент.")]
    assert Case.objects.count() == 0


def test_a_user_who_may_not_register_cases_is_refused(make_user):
    # Given an analyst (reads all cases, writes none)
    analyst = make_user(Role.ANALYST, department="00")

    # When they import a valid file, then access is denied and nothing is saved
    with pytest.raises(AccessDenied):
        case_import(user=analyst, uploaded_file=csv_upload([row()]))
    assert Case.objects.count() == 0


# --- bad files -------------------------------------------------------------------------------------------------------


def file_error(message: str) -> ImportResult:
    return ImportResult(created=0, errors=[RowError(0, "", message)], rows=0)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("cases.txt", b"registration_number;registered_on\n"),
            "Поддерживаются только файлы XLSX и CSV.",
        ),
        (SimpleUploadedFile("cases", b"x"), "Поддерживаются только файлы XLSX и CSV."),
        (SimpleUploadedFile("cases.xls", b"\xd0\xcf\x11\xe0"), "Поддерживаются только файлы XLSX и CSV."),
        (SimpleUploadedFile("cases.csv", b""), "Файл пуст."),
        (SimpleUploadedFile("cases.csv", b"\xef\xbb\xbf\r\n;;;\r\n"), "Файл пуст."),
        (SimpleUploadedFile("cases.xlsx", b""), "Файл пуст."),
        (
            SimpleUploadedFile("cases.xlsx", b"%PDF-1.7 this is not a spreadsheet"),
            "Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.",
        ),
        (
            SimpleUploadedFile("cases.xlsx", b"PK\x03\x04" + b"\x00garbage" * 100),
            "Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.",
        ),
        (
            SimpleUploadedFile("cases.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "Файл не похож на CSV: сохраните таблицу как «CSV (разделитель — точка с запятой)» в кодировке UTF-8.",
        ),
        (
            SimpleUploadedFile("cases.csv", "Номер ЕРДР;Фабула;Сфера\r\n751000000000001;Взятка;land\r\n".encode()),
            "В файле нет обязательных столбцов: «Дата регистрации», «Статьи УК», «Госорган».",
        ),
        (
            SimpleUploadedFile("cases.csv", ("\ufeff" + ";".join(HEADER) + ";номер ердр\r\n" + "1;" * 11).encode()),
            "Столбец «номер ердр» указан в файле дважды.",
        ),
        (SimpleUploadedFile("cases.csv", ";".join(HEADER).encode()), "В файле нет строк с данными."),
        (
            SimpleUploadedFile("cases.csv", ";".join(HEADER).encode() + b'\r\n"751;unterminated\x00'),
            "Файл не похож на CSV: сохраните таблицу как «CSV (разделитель — точка с запятой)» в кодировке UTF-8.",
        ),
        (
            SimpleUploadedFile("cases.csv", ";".join(HEADER).encode() + b'\r\n"' + b"x" * 200_000 + b'"\r\n'),
            "Не удалось прочитать файл CSV (строка 2): проверьте кавычки и разделители.",
        ),
    ],
    ids=[
        "txt",
        "no-extension",
        "xls",
        "empty-csv",
        "blank-csv",
        "empty-xlsx",
        "not-a-zip",
        "corrupt-zip",
        "binary-csv",
        "missing-columns",
        "duplicate-column",
        "header-only",
        "nul-in-csv",
        "huge-field",
    ],
)
def test_a_bad_file_gets_one_clear_error_and_saves_nothing(investigator, upload, message):
    # When the file is imported (for real and as a dry run), then one file-level error and nothing saved
    for dry_run in (False, True):
        result = case_import(user=investigator, uploaded_file=upload, dry_run=dry_run)
        assert result == ImportResult(created=0, errors=[RowError(0, "", message)], rows=0, dry_run=dry_run)
    assert Case.objects.count() == 0


def test_an_oversized_file_is_refused_before_reading(investigator):
    # Given a CSV just over the limit
    content = (";".join(HEADER) + "\r\n").encode()
    content += b"x" * (MAX_FILE_SIZE + 1 - len(content))
    upload = SimpleUploadedFile("cases.csv", content)
    assert upload.size == MAX_FILE_SIZE + 1

    # When it is imported, then it is refused as too large
    assert case_import(user=investigator, uploaded_file=upload) == file_error("Файл больше 5 МБ.")
    assert Case.objects.count() == 0


def test_a_file_with_too_many_rows_is_refused(investigator):
    # Given MAX_ROWS + 1 data rows (blank lines in between do not count, and are no error)
    rows = [row(registration_number=f"{751000000000000 + n:015d}") for n in range(MAX_ROWS + 1)]
    upload = csv_upload(rows)

    # When it is imported, then it is refused as a whole
    assert case_import(user=investigator, uploaded_file=upload) == file_error("В файле больше 2000 строк с данными.")
    assert Case.objects.count() == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_workbook_of_blank_rows_is_refused_at_the_row_cap_without_walking_the_rest(investigator, dry_run):
    # Given a valid header and row, then a million blank rows (the shape of a 200 KB hostile upload)
    data = blank_rows_xlsx([HEADER, row()], 1_000_000)
    assert len(data) < 20_000

    # When it is imported
    started = time.perf_counter()
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", data), dry_run=dry_run)

    # Then it is refused as too many rows, blank ones counted, early, and nothing is saved
    assert result == ImportResult(
        created=0,
        errors=[RowError(0, "", "В файле больше 10000 строк, считая пустые: удалите лишние строки.")],
        dry_run=dry_run,
    )
    assert time.perf_counter() - started < 5
    assert Case.objects.count() == 0


def test_a_workbook_just_within_the_row_cap_is_imported(investigator):
    # Given a header, one row and blank rows up to MAX_SHEET_ROWS in all
    data = blank_rows_xlsx([HEADER, row()], MAX_SHEET_ROWS - 2)

    # When it is imported, then the case is created
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", data))
    assert result == ImportResult(created=1, errors=[], rows=1)
    assert list(Case.objects.values_list("registration_number", flat=True)) == ["751000000000001"]


def test_a_gap_of_a_million_rows_is_refused_without_inventing_them(investigator):
    # Given a valid header, then one cell far below it: openpyxl fills such a gap with empty rows
    data = workbook_bytes_with_far_row(1_000_000)

    # When it is imported, then it is refused at the row cap, quickly, and nothing is saved
    started = time.perf_counter()
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", data))
    assert result == file_error("В файле больше 10000 строк, считая пустые: удалите лишние строки.")
    assert time.perf_counter() - started < 5
    assert Case.objects.count() == 0


def workbook_bytes_with_far_row(row_number: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.cell(row=row_number, column=1, value="751000000000001")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_csv_of_blank_lines_is_refused_at_the_row_cap(investigator):
    # Given a CSV header and valid row followed by blank lines past the cap
    content = (";".join(HEADER) + "\r\n" + ";".join(map(str, row())) + "\r\n").encode() + b";;\r\n" * MAX_SHEET_ROWS

    # When it is imported, then it is refused as too many rows and nothing is saved
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.csv", content))
    assert result == file_error("В файле больше 10000 строк, считая пустые: удалите лишние строки.")
    assert Case.objects.count() == 0


def test_an_honest_zip_bomb_gets_the_unpacked_size_message(investigator):
    # Given a workbook of 60 KB whose archive declares more than MAX_UNPACKED_SIZE bytes unpacked
    data = zip_bomb_xlsx([HEADER, row()], MAX_UNPACKED_SIZE + 1)
    assert len(data) < 100_000

    # When it is imported, then it is refused as a zip bomb, not as a large file, and nothing is saved
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", data))
    assert result == file_error("Файл XLSX в распакованном виде больше 50 МБ: это не таблица дел, а «zip-бомба».")
    assert Case.objects.count() == 0


def test_a_zip_that_understates_its_unpacked_size_is_read_no_further_than_declared(investigator):
    # Given a workbook whose sheet inflates to 60 MB but is declared as 100 bytes
    data = understated(blank_rows_xlsx([HEADER, row()], 10_000_000), SHEET, 100)

    # When it is imported, then zipfile stops at the declared size and the file is corrupt; nothing is saved
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", data))
    assert result == file_error("Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.")
    assert Case.objects.count() == 0


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(investigator):
    # Given an XLSX with an empty row before the header and between data rows
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(row(registration_number="751000000000001"))
    sheet.append([None] * len(HEADER))
    sheet.append(row(registration_number="75100000000002"))
    buffer = io.BytesIO()
    workbook.save(buffer)

    # When it is imported
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("c.xlsx", buffer.getvalue()))

    # Then the error points at the row the user sees in Excel
    assert result == ImportResult(
        created=0, errors=[RowError(5, "Номер ЕРДР", "Номер ЕРДР должен состоять ровно из 15 цифр.")], rows=2
    )


# --- dry run and template --------------------------------------------------------------------------------------------


def test_a_dry_run_of_a_valid_file_saves_nothing(investigator):
    result = case_import(user=investigator, uploaded_file=csv_upload([row()]), dry_run=True)

    assert result == ImportResult(created=0, errors=[], rows=1, dry_run=True)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (0, 0)


def test_a_dry_run_reports_the_errors_and_saves_nothing(investigator):
    upload = csv_upload([row(), row(registration_number="751000000000002", sector="gambling")])

    result = case_import(user=investigator, uploaded_file=upload, dry_run=True)

    assert result == ImportResult(
        created=0, errors=[RowError(3, "Сфера", "Неизвестная сфера: gambling.")], rows=2, dry_run=True
    )
    assert Case.objects.count() == 0


def test_the_template_has_the_documented_header_and_an_example_that_imports(investigator):
    # Given the downloadable template
    content = import_template_xlsx()

    # Then its first sheet has the bold header and one example row
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        tuple(HEADER),
        (
            "750000000000001",
            dt.datetime(2026, 1, 15, 0, 0),
            "75",
            "366, 367",
            AKIMAT,
            "land",
            "Получение взятки за выделение земельного участка",
            1500000,
            500000,
            "Серикбаев Нурлан Маратович|900101300007|suspect; Ахметова Алия Сериковна|850515400002|witness",
        ),
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert [row[:3] for row in workbook.worksheets[1].iter_rows(values_only=True)][:3] == [
        ("Столбец", "Поле API", "Обязательный"),
        ("Номер ЕРДР", "registration_number", "да"),
        ("Дата регистрации", "registered_on", "да"),
    ]

    # And importing it unchanged (as a dry run) finds nothing wrong
    result = case_import(user=investigator, uploaded_file=SimpleUploadedFile("template.xlsx", content), dry_run=True)
    assert result == ImportResult(created=0, errors=[], rows=1, dry_run=True)
