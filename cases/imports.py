"""Import of cases from an uploaded spreadsheet (XLSX or CSV), all or nothing (DESIGN.md §4.2, §7).

Every row and every column is checked and *all* errors are collected before anything is written, so the user
fixes the whole file in one pass. The rows are then saved through ``case_create`` inside one transaction, which
is rolled back as a whole if any row still fails: a half-imported file would be worse than none.

A bad file never raises: the result carries one error with row 0 instead.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anticor import access
from anticor.access import AccessDenied, Area
from anticor.bounds import past_date
from anticor.identifiers import validate_iin, validate_registration_number
from anticor.models import Article, Department, StateBody
from cases.choices import SubjectRole
from cases.models import Case, Sector
from cases.services import SubjectData, case_create, case_refresh_search

MAX_FILE_SIZE = 5 * 1024 * 1024  # bytes of the uploaded file
# Bytes inside an XLSX archive, as its central directory declares them: checked before openpyxl opens it, and
# binding while it reads, since Python's zipfile never inflates a member past its declared size (a member that
# lies about it fails its CRC check: a corrupt file). A 2,000-row workbook unpacks to a few megabytes.
MAX_UNPACKED_SIZE = 50 * 1024 * 1024
MAX_ROWS = 2000  # data rows, header not counted; ~17 queries a row keeps a full file within a web request
# Rows read from the sheet or CSV, blank rows included: a 200 KB workbook can hold millions of empty rows,
# which cost as much to walk as full ones. Reading stops at the first row past it.
MAX_SHEET_ROWS = 10_000
MAX_COLUMNS = 64  # columns read from a sheet; anything to the right is ignored
MAX_SUBJECTS = 50  # subjects in one «Участники» cell

EXTENSIONS = (".xlsx", ".csv")
TEMPLATE_FILENAME = "cases-import-template.xlsx"


@dataclass(frozen=True)
class ImportColumn:
    """One column of the import file. The header may be ``label`` (in any UI language) or ``field``."""

    field: str
    label: Any
    required: bool
    description: Any
    example: Any


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "registration_number",
        gettext_lazy("Номер ЕРДР"),
        True,
        gettext_lazy("Ровно 15 цифр; номер не должен быть уже зарегистрирован."),
        "750000000000001",
    ),
    ImportColumn(
        "registered_on",
        gettext_lazy("Дата регистрации"),
        True,
        gettext_lazy("ГГГГ-ММ-ДД или ДД.ММ.ГГГГ (или ячейка с датой), не позднее сегодняшнего дня."),
        dt.date(2026, 1, 15),
    ),
    ImportColumn(
        "department",
        gettext_lazy("Департамент"),
        False,
        gettext_lazy("Код департамента, например 75; если не указан — ваш департамент."),
        "75",
    ),
    ImportColumn(
        "articles",
        gettext_lazy("Статьи УК"),
        True,
        gettext_lazy("Номера статей через запятую или точку с запятой, например 366, 367."),
        "366, 367",
    ),
    ImportColumn(
        "state_body",
        gettext_lazy("Госорган"),
        True,
        gettext_lazy("Точное наименование на русском языке, как в справочнике, или его идентификатор."),
        "Акимат города Алматы",
    ),
    ImportColumn(
        "sector",
        gettext_lazy("Сфера"),
        True,
        gettext_lazy("Код сферы из справочника, например land или procurement."),
        "land",
    ),
    ImportColumn(
        "summary",
        gettext_lazy("Фабула"),
        True,
        gettext_lazy("Краткое описание деяния."),
        "Получение взятки за выделение земельного участка",
    ),
    ImportColumn(
        "damage_amount",
        gettext_lazy("Ущерб"),
        False,
        gettext_lazy("Сумма в тенге, не меньше нуля, до двух знаков после запятой; по умолчанию 0."),
        Decimal("1500000.00"),
    ),
    ImportColumn(
        "recovered_amount",
        gettext_lazy("Возмещено"),
        False,
        gettext_lazy("Сумма в тенге, не больше ущерба; по умолчанию 0."),
        Decimal("500000.00"),
    ),
    ImportColumn(
        "subjects",
        gettext_lazy("Участники"),
        False,
        gettext_lazy(
            "Участники через «;», каждый в виде «ФИО|ИИН|роль»; роль — suspect, accused, convicted, acquitted, "
            "witness или её название (Подозреваемый, Свидетель...)."
        ),
        "Серикбаев Нурлан Маратович|900101300007|suspect; Ахметова Алия Сериковна|850515400002|witness",
    ),
)

_COLUMNS_BY_FIELD = {column.field: column for column in IMPORT_COLUMNS}


@dataclass(frozen=True)
class RowError:
    """``row`` is the spreadsheet row number (the header is row 1; 0 for the file as a whole)."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # data rows read from the file
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _FileProblem(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


# --- reading the file ------------------------------------------------------------------------------------------------


def _normalize(text: Any) -> str:
    return " ".join(str(text).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_bytes(uploaded_file: Any) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_SIZE:
        raise _FileProblem(_too_large())
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise _FileProblem(_too_large())
    return data


def _too_large() -> str:
    return _("Файл больше %(max)s МБ.") % {"max": MAX_FILE_SIZE // (1024 * 1024)}


def _unpacked_too_large() -> str:
    return _("Файл XLSX в распакованном виде больше %(max)s МБ: это не таблица дел, а «zip-бомба».") % {
        "max": MAX_UNPACKED_SIZE // (1024 * 1024)
    }


def _too_many_rows() -> str:
    return _("В файле больше %(max)s строк, считая пустые: удалите лишние строки.") % {"max": MAX_SHEET_ROWS}


def _corrupt_xlsx() -> str:
    return _("Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.")


def _xlsx_rows(data: bytes) -> Iterator[Sequence[Any]]:
    import openpyxl

    if not data.startswith(b"PK\x03\x04"):
        raise _FileProblem(_corrupt_xlsx())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _FileProblem(_corrupt_xlsx()) from error
    if unpacked > MAX_UNPACKED_SIZE:
        raise _FileProblem(_unpacked_too_large())
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything from KeyError to XML errors on a broken file
        raise _FileProblem(_corrupt_xlsx()) from error
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise _FileProblem(_("Файл пуст."))
        sheet = workbook.active if workbook.active in sheets else sheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read what is really there
        # max_row: openpyxl stops parsing there, and does not invent the empty rows of a gap beyond it
        yield from sheet.iter_rows(min_col=1, max_col=MAX_COLUMNS, max_row=MAX_SHEET_ROWS + 1, values_only=True)
    except _FileProblem:
        raise
    except Exception as error:
        raise _FileProblem(_corrupt_xlsx()) from error
    finally:
        workbook.close()


def _decode_csv(data: bytes) -> str:
    not_csv = _("Файл не похож на CSV: сохраните таблицу как «CSV (разделитель — точка с запятой)» в кодировке UTF-8.")
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise _FileProblem(not_csv)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")  # Excel's «CSV» on a Russian Windows
    except UnicodeDecodeError as error:
        raise _FileProblem(not_csv) from error


def _csv_rows(data: bytes) -> Iterator[Sequence[Any]]:
    text = _decode_csv(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise _FileProblem(
            _("Не удалось прочитать файл CSV (строка %(row)s): проверьте кавычки и разделители.")
            % {"row": reader.line_num}
        ) from error


def _read_table(uploaded_file: Any) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    """(header row number, header cells, [(row number, cells)]) of the non-empty rows."""
    name = str(getattr(uploaded_file, "name", "") or "").lower()
    if not name.endswith(EXTENSIONS):
        raise _FileProblem(_("Поддерживаются только файлы XLSX и CSV."))
    data = _read_bytes(uploaded_file)
    if not data.strip():
        raise _FileProblem(_("Файл пуст."))
    header: tuple[int, list[Any]] | None = None
    body: list[tuple[int, list[Any]]] = []
    # closing(): stopping early (too many rows) must still close the workbook at once
    with contextlib.closing(_xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data)) as rows:
        for number, cells in enumerate(rows, start=1):
            if number > MAX_SHEET_ROWS:
                raise _FileProblem(_too_many_rows())
            if all(_blank(cell) for cell in cells):
                continue
            if header is None:
                header = (number, list(cells))
                continue
            if len(body) >= MAX_ROWS:
                raise _FileProblem(_("В файле больше %(max)s строк с данными.") % {"max": MAX_ROWS})
            body.append((number, list(cells)))
    if header is None:
        raise _FileProblem(_("Файл пуст."))
    return header[0], header[1], body


def _header_aliases() -> dict[str, ImportColumn]:
    aliases: dict[str, ImportColumn] = {}
    for column in IMPORT_COLUMNS:
        aliases[_normalize(column.field)] = column
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_normalize(column.label)] = column
    return aliases


def _map_header(cells: Sequence[Any]) -> dict[str, tuple[int, str]]:
    """field → (cell index, header text as in the file). Unknown columns are ignored."""
    aliases = _header_aliases()
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        column = aliases.get(_normalize(cell))
        if column is None:
            continue
        if column.field in found:
            raise _FileProblem(
                _("Столбец «%(column)s» указан в файле дважды.") % {"column": str(cell).strip()},
            )
        found[column.field] = (index, str(cell).strip())
    missing = [column for column in IMPORT_COLUMNS if column.required and column.field not in found]
    if missing:
        raise _FileProblem(
            _("В файле нет обязательных столбцов: %(columns)s.")
            % {"columns": ", ".join(f"«{column.label}»" for column in missing)}
        )
    return found


# --- parsing cells ---------------------------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__(*messages)


def _text(value: Any) -> str:
    """A cell as text; whole numbers from Excel lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _CellError(_("Неверная дата: укажите ГГГГ-ММ-ДД или ДД.ММ.ГГГГ."))


_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_MAX_AMOUNT = Decimal(10) ** 16  # max_digits=18, decimal_places=2


def _parse_amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError(_("Неверная сумма: %(value)s.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value)).replace(",", ".")
    if not _AMOUNT.match(text):
        raise _CellError(_("Неверная сумма: %(value)s.") % {"value": str(value).strip()})
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise _CellError(_("Неверная сумма: %(value)s.") % {"value": str(value).strip()}) from error
    if amount < 0:
        raise _CellError(_("Сумма не может быть отрицательной."))
    if amount != amount.quantize(Decimal("0.01")):
        raise _CellError(_("Сумма указывается не более чем с двумя знаками после запятой."))
    if amount >= _MAX_AMOUNT:
        raise _CellError(_("Слишком большая сумма."))
    return amount.quantize(Decimal("0.01"))


def _department_code(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):02d}"
    text = _text(value)
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def _role_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for role in SubjectRole:
        aliases[_normalize(role.value)] = role.value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                aliases[_normalize(role.label)] = role.value
    return aliases


def _parse_subjects(value: Any, roles: dict[str, str]) -> list[SubjectData]:
    parts = [part.strip() for part in re.split(r"[;\n]", _text(value)) if part.strip()]
    if len(parts) > MAX_SUBJECTS:
        raise _CellError(_("Не более %(max)s участников в одном деле.") % {"max": MAX_SUBJECTS})
    subjects: list[SubjectData] = []
    errors: list[str] = []
    for number, part in enumerate(parts, start=1):
        pieces = [piece.strip() for piece in part.split("|")]
        if len(pieces) != 3:
            errors.append(_("Участник %(number)s: ожидается «ФИО|ИИН|роль».") % {"number": number})
            continue
        full_name, iin, role_text = pieces
        mine: list[str] = []
        if not full_name:
            mine.append(_("Участник %(number)s: не указаны ФИО.") % {"number": number})
        elif len(full_name) > 255:
            mine.append(_("Участник %(number)s: ФИО длиннее 255 символов.") % {"number": number})
        try:
            validate_iin(iin)
        except ValidationError as error:
            mine.extend(_("Участник %(number)s: %(error)s") % {"number": number, "error": m} for m in error.messages)
        role = roles.get(_normalize(role_text))
        if role is None:
            mine.append(
                _("Участник %(number)s: неизвестная роль «%(value)s».") % {"number": number, "value": role_text}
            )
        if mine:
            errors.extend(mine)
        else:
            subjects.append(SubjectData(full_name=" ".join(full_name.split()), iin=iin, role=role))
    if errors:
        raise _CellError(*errors)
    return subjects


# --- the reference data the rows point at (loaded set-based, once per file) ------------------------------------------


@dataclass
class _Lookups:
    departments: dict[str, Department]
    articles: dict[str, int]
    sectors: dict[str, int]
    state_bodies_by_name: dict[str, int]
    state_bodies_by_id: set[int]
    existing_numbers: set[str]
    roles: dict[str, str]


def _lookups(rows: Iterable[dict[str, Any]]) -> _Lookups:
    rows = list(rows)
    article_codes = {code for row in rows for code in _split_codes(row.get("articles"))}
    body_values = {" ".join(_text(row.get("state_body")).split()) for row in rows} - {""}
    body_ids = {int(value) for value in body_values if value.isdigit() and len(value) < 10}
    numbers = {_text(row.get("registration_number")) for row in rows} - {""}
    return _Lookups(
        departments={department.code: department for department in Department.objects.all()},
        articles=dict(Article.objects.filter(code__in=article_codes).values_list("code", "pk")),
        sectors=dict(Sector.objects.values_list("code", "pk")),
        state_bodies_by_name=dict(StateBody.objects.filter(name_ru__in=body_values).values_list("name_ru", "pk")),
        state_bodies_by_id=set(StateBody.objects.filter(pk__in=body_ids).values_list("pk", flat=True)),
        existing_numbers=set(
            Case.objects.filter(registration_number__in=numbers).values_list("registration_number", flat=True)
        ),
        roles=_role_aliases(),
    )


def _split_codes(value: Any) -> list[str]:
    return [code.strip() for code in re.split(r"[,;]", _text(value)) if code.strip()]


# --- validating a row ------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    article_ids: list[int] = field(default_factory=list)
    subjects: list[SubjectData] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


def _validate_row(
    number: int,
    raw: dict[str, Any],
    *,
    user: access.Principal,
    lookups: _Lookups,
    seen_numbers: dict[str, int],
    today: dt.date,
) -> _Row:
    row = _Row(number=number)

    def check(name: str, parse: Any) -> Any:
        """Run ``parse`` on the cell unless it is blank; a blank required cell is an error of its own."""
        value = raw.get(name)
        if _blank(value):
            if _COLUMNS_BY_FIELD[name].required:
                row.errors.append((name, _("Обязательное поле не заполнено.")))
            return None
        try:
            return parse(value)
        except _CellError as error:
            row.errors.extend((name, message) for message in error.messages)
            return None

    def registration_number(value: Any) -> str:
        text = _text(value)
        try:
            validate_registration_number(text)
        except ValidationError as error:
            raise _CellError(*error.messages) from error
        if text in lookups.existing_numbers:
            raise _CellError(_("Дело с таким номером ЕРДР уже зарегистрировано."))
        if text in seen_numbers:
            raise _CellError(_("Номер ЕРДР повторяется: он уже указан в строке %(row)s.") % {"row": seen_numbers[text]})
        seen_numbers[text] = number
        return text

    def registered_on(value: Any) -> dt.date:
        date = _parse_date(value)
        if date > today:
            raise _CellError(_("Дата регистрации не может быть в будущем."))
        try:
            past_date(date)
        except ValidationError as error:
            raise _CellError(error.messages[0]) from None
        return date

    def department(value: Any) -> Department:
        code = _department_code(value)
        found = lookups.departments.get(code)
        if found is None:
            raise _CellError(_("Неизвестный департамент: %(value)s.") % {"value": code})
        return found

    def articles(value: Any) -> list[int]:
        codes = list(dict.fromkeys(_split_codes(value)))
        if not codes:
            raise _CellError(_("Укажите хотя бы одну статью УК."))
        unknown = [code for code in codes if code not in lookups.articles]
        if unknown:
            raise _CellError(_("Неизвестные статьи УК: %(codes)s.") % {"codes": ", ".join(unknown)})
        return [lookups.articles[code] for code in codes]

    def state_body(value: Any) -> int:
        text = " ".join(_text(value).split())
        if text.isdigit() and int(text) in lookups.state_bodies_by_id:
            return int(text)
        if text in lookups.state_bodies_by_name:
            return lookups.state_bodies_by_name[text]
        raise _CellError(_("Неизвестный госорган: %(value)s.") % {"value": text})

    def sector(value: Any) -> int:
        code = _text(value).lower()
        if code not in lookups.sectors:
            raise _CellError(_("Неизвестная сфера: %(value)s.") % {"value": _text(value)})
        return lookups.sectors[code]

    values: dict[str, Any] = {
        "registration_number": check("registration_number", registration_number),
        "registered_on": check("registered_on", registered_on),
        "state_body_id": check("state_body", state_body),
        "sector_id": check("sector", sector),
        "summary": check("summary", _text),
    }
    chosen = check("department", department)
    if chosen is None and _blank(raw.get("department")):
        chosen = getattr(user, "department", None)
        if chosen is None:
            row.errors.append(("department", _("Укажите департамент.")))
    if chosen is not None:
        if access.can_change(user, Case(department=chosen)):
            values["department_id"] = chosen.pk
        else:
            row.errors.append(
                ("department", _("Нет прав на регистрацию дел департамента %(code)s.") % {"code": chosen.code})
            )
    row.article_ids = check("articles", articles) or []
    damage = check("damage_amount", _parse_amount)
    recovered = check("recovered_amount", _parse_amount)
    values["damage_amount"] = Decimal("0.00") if damage is None else damage
    values["recovered_amount"] = Decimal("0.00") if recovered is None else recovered
    amounts_parsed = not any(name in {"damage_amount", "recovered_amount"} for name, _m in row.errors)
    if amounts_parsed and values["recovered_amount"] > values["damage_amount"]:
        row.errors.append(("recovered_amount", _("Возмещённая сумма не может превышать сумму ущерба.")))
    row.subjects = check("subjects", lambda value: _parse_subjects(value, lookups.roles)) or []
    row.values = values
    return row


# --- saving ----------------------------------------------------------------------------------------------------------

_SUBJECT_FIELDS = {"full_name", "iin", "role", "position", "post_category", "is_removed"}


def _service_errors(error: ValidationError) -> list[tuple[str, str]]:
    """A ValidationError of case_create as (import field, message); subject fields belong to «Участники»."""
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    result: list[tuple[str, str]] = []
    for name, messages in error.message_dict.items():
        if name in _COLUMNS_BY_FIELD:
            target = name
        elif name in _SUBJECT_FIELDS:
            target = "subjects"
        else:
            target = ""
        result.extend((target, message) for message in messages)
    return result


def case_import(*, user: access.Principal, uploaded_file: Any, dry_run: bool = False) -> ImportResult:
    """Validate every row of the file and create all its cases, or none of them.

    With ``dry_run`` the rows go through the very same checks and saves, which are then rolled back.
    Raises AccessDenied only when the user may not register cases at all; everything else is in the result.
    """
    if not access.can_write_area(user, Area.CASES):
        raise AccessDenied()
    result = ImportResult(dry_run=dry_run)
    try:
        _header_number, header, body = _read_table(uploaded_file)
        columns = _map_header(header)
    except _FileProblem as problem:
        result.errors.append(RowError(row=0, column="", message=str(problem)))
        return result
    if not body:
        result.errors.append(RowError(row=0, column="", message=_("В файле нет строк с данными.")))
        return result
    result.rows = len(body)

    def header_of(name: str) -> str:
        """The header as written in the file; the column's label when the file has no such column."""
        if name in columns:
            return columns[name][1]
        return str(_COLUMNS_BY_FIELD[name].label) if name else ""

    raw_rows = [
        (number, {name: (cells[index] if index < len(cells) else None) for name, (index, _h) in columns.items()})
        for number, cells in body
    ]
    lookups = _lookups(raw for _n, raw in raw_rows)
    seen: dict[str, int] = {}
    today = timezone.localdate()
    rows = [
        _validate_row(number, raw, user=user, lookups=lookups, seen_numbers=seen, today=today)
        for number, raw in raw_rows
    ]
    for row in rows:
        result.errors.extend(RowError(row=row.number, column=header_of(f), message=m) for f, m in row.errors)
    if result.errors:
        return result

    created_ids: list[int] = []
    with transaction.atomic():
        for row in rows:
            try:
                case = case_create(
                    user=user,
                    values=row.values,
                    article_ids=row.article_ids,
                    subjects=row.subjects,
                    refresh_search=False,
                )
            except ValidationError as error:
                problems = _service_errors(error)
            except AccessDenied as error:
                problems = [("department", str(error))]
            except IntegrityError:
                # A case with this number was registered meanwhile by someone else. The transaction is aborted
                # now, so stop here: nothing of the file is saved anyway.
                problems = [("registration_number", _("Дело с таким номером ЕРДР уже зарегистрировано."))]
                result.errors.extend(RowError(row=row.number, column=header_of(f), message=m) for f, m in problems)
                break
            else:
                created_ids.append(case.pk)
                continue
            result.errors.extend(RowError(row=row.number, column=header_of(f), message=m) for f, m in problems)
        if result.errors or dry_run:
            transaction.set_rollback(True)
        else:
            case_refresh_search(case_ids=created_ids)  # once for the whole file
    created = len(created_ids)
    result.created = 0 if result.errors or dry_run else created
    return result


# --- the template ----------------------------------------------------------------------------------------------------


def import_template_xlsx() -> bytes:
    """An .xlsx with the header row, one example row, and a second sheet that explains each column."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(_("Дела"))
    bold = Font(bold=True)
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        head = sheet.cell(row=1, column=index, value=str(column.label))
        head.font = bold
        example = sheet.cell(row=2, column=index, value=column.example)
        if isinstance(column.example, dt.date):
            example.number_format = "DD.MM.YYYY"
        elif isinstance(column.example, Decimal):
            example.number_format = "#,##0.00"
        else:
            example.number_format = "@"  # text: keeps the leading zeros of numbers and codes
        width = 60 if column.field in {"summary", "subjects", "state_body"} else 18
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(str(_("Справка")))
    help_sheet.append([str(_("Столбец")), str(_("Поле API")), str(_("Обязательный")), str(_("Описание"))])
    for cell in help_sheet[1]:
        cell.font = bold
    for column in IMPORT_COLUMNS:
        help_sheet.append(
            [str(column.label), column.field, str(_("да") if column.required else _("нет")), str(column.description)]
        )
    for letter, width in zip("ABCD", (20, 22, 14, 100), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
