"""Export of a (filtered, permission-scoped) list of cases to CSV or XLSX (issue 3, DESIGN.md §7).

The number of queries does not depend on the number of rows: related rows are joined or prefetched per chunk,
and the root-cause count is a subquery. Every export is recorded in the access log.

CSV is written for Excel in the Russian locale: UTF-8 with a BOM, «;» between cells, dates as DD.MM.YYYY and
amounts with a decimal comma. XLSX keeps dates and amounts as typed cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor import access
from anticor.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, neutralize
from anticor.models import AccessAction
from anticor.services import access_log_record
from cases.models import Case, RootCause, Subject

CHUNK_SIZE = 2000  # rows fetched (and prefetched for) at a time

# (header, width of the XLSX column in characters)
EXPORT_COLUMNS: tuple[tuple[Any, int], ...] = (
    (_("Номер ЕРДР"), 18),
    (_("Дата регистрации"), 14),
    (_("Департамент"), 50),
    (_("Статьи УК"), 14),
    (_("Госорган"), 45),
    (_("Сфера"), 28),
    (_("Статус"), 24),
    (_("Ущерб, тенге"), 18),
    (_("Возмещено, тенге"), 18),
    (_("Участники"), 50),
    (_("Причины и условия"), 12),
    (_("Следователь"), 36),
)


def _export_queryset(user: access.Principal, queryset: QuerySet[Case]) -> QuerySet[Case]:
    root_causes = (  # the causes the reader may see: another department's cause is not counted either
        RootCause.cases.through.objects.filter(
            case_id=OuterRef("pk"), rootcause__in=access.visible(user, RootCause.objects.all())
        )
        .values("case_id")
        .annotate(total=Count("*"))
        .values("total")
    )
    return (
        access.visible(user, queryset)  # the caller scoped it already; a second look costs nothing
        .select_related("department", "state_body", "sector", "investigator")
        .prefetch_related(
            Prefetch("articles", to_attr="export_articles"),
            Prefetch(
                "subjects",
                queryset=Subject.objects.filter(is_removed=False).only("id", "case_id", "full_name").order_by("id"),
                to_attr="export_subjects",
            ),
        )
        .annotate(root_cause_total=Coalesce(Subquery(root_causes, output_field=IntegerField()), Value(0)))
    )


def _rows(user: access.Principal, queryset: QuerySet[Case]) -> Iterator[list[Any]]:
    """One list of typed values per case (text, dates and Decimals); the writers format them."""
    for case in _export_queryset(user, queryset).iterator(chunk_size=CHUNK_SIZE):
        yield [
            case.registration_number,
            case.registered_on,
            f"{case.department.code} — {case.department.name}",
            ", ".join(sorted((article.code for article in case.export_articles), key=_article_order)),
            case.state_body.name,
            case.sector.name,
            str(case.get_status_display()),
            case.damage_amount,
            case.recovered_amount,
            ", ".join(subject.full_name for subject in case.export_subjects),
            case.root_cause_total,
            case.investigator.display_name if case.investigator else "",
        ]


def _article_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("-"))


def _csv_cell(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")  # the decimal comma of the Russian locale
    if isinstance(value, int):
        return str(value)
    return neutralize(str(value))


def _csv(headers: Sequence[str], rows: Iterator[list[Any]]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM makes Excel read UTF-8
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx(headers: Sequence[str], rows: Iterator[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)  # streams rows: memory stays flat on long lists
    sheet = workbook.create_sheet(str(_("Дела")))
    for index, (_header, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # Always a plain string: openpyxl stores text starting with "=" as a formula otherwise.
                cell = WriteOnlyCell(sheet, value=neutralize(value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cases_export(
    *, user: access.Principal, queryset: QuerySet[Case], fmt: Literal["csv", "xlsx"], request: Any = None
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the cases in ``queryset``, in its order; logged as an export."""
    if fmt not in {"csv", "xlsx"}:
        raise ValueError(f"unsupported export format {fmt!r}")
    headers = [str(header) for header, _width in EXPORT_COLUMNS]
    rows = _rows(user, queryset)
    if fmt == "csv":
        content, content_type = _csv(headers, rows), CSV_CONTENT_TYPE
    else:
        content, content_type = _xlsx(headers, rows), XLSX_CONTENT_TYPE
    access_log_record(user=user, action=AccessAction.EXPORT, model=Case, request=request)
    filename = f"cases-{timezone.localtime():%Y-%m-%d-%H%M}.{fmt}"
    return content, content_type, filename
