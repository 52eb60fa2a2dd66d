"""The collegium half-year report as an XLSX workbook: one sheet per section of the page.

Values are typed cells (numbers stay numbers); text is never stored as a formula (formula-injection safe, as the
case export). Every download is recorded in the access log as an export of indicator values.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from anticor.exports import neutralize
from anticor.indicators.collegium import Collegium
from anticor.indicators.figures import Figure
from anticor.indicators.labels import period_label
from anticor.indicators.models import IndicatorValue
from anticor.models import AccessAction
from anticor.services import access_log_record

if TYPE_CHECKING:
    from anticor.access import Principal


def _unit(figure: Figure) -> str:
    return figure.unit or _("ед.")


def _indicator_rows(report: Collegium) -> Iterable[list[Any]]:
    for scope in report.scopes:
        for figure in scope.figures + scope.legacy:
            value = figure.value
            yield [
                scope.label,
                figure.code,
                str(figure.definition.name),
                _("да") if figure.definition.legacy else _("нет"),
                figure.number,
                figure.previous_number,
                figure.change,
                value.numerator if value is not None else None,
                value.denominator if value is not None else None,
                _unit(figure),
                _("выше порога") if figure.flagged else "",
            ]


def _staff_rows(report: Collegium) -> Iterable[list[Any]]:
    for row in report.staff:
        yield [
            row.label,
            row.convicted,
            row.disciplined,
            row.dismissed_negative,
            row.checks_conducted,
            row.checks_failed,
            row.checks_with_outcome,
            row.fail_rate,
        ]


def _category_rows(report: Collegium) -> Iterable[list[Any]]:
    for row in report.categories:
        yield [row.name, row.code, row.regressed, row.departments, row.identified, row.eliminated]


def _approval_rows(report: Collegium) -> Iterable[list[Any]]:
    lock = report.lock
    yield [_("Период"), report.period.code]
    yield [_("Состояние"), _("утверждён") if lock else _("не утверждён")]
    if lock is not None:
        yield [_("Утвердил"), lock.approved_by.display_name]
        yield [_("Когда"), timezone.localtime(lock.approved_at).replace(tzinfo=None)]
        yield [_("Примечание"), lock.note]
    yield []
    yield [_("Пересмотры утверждённых значений")]
    yield [_("Показатель"), _("Охват"), _("Утверждено"), _("Пересчитано"), _("Основание"), _("Когда")]
    for row in report.restatements:
        item = row.item
        yield [
            item.code,
            item.scope,
            item.old_value,
            item.new_value,
            item.reason,
            timezone.localtime(item.at).replace(tzinfo=None),
        ]


def _sheet(workbook: Any, title: str, headers: Sequence[str], rows: Iterable[list[Any]], widths: Sequence[int]):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    if headers:
        sheet.append([neutralize(str(h)) for h in headers])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_cell(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(cell.value, Decimal | float):
                cell.number_format = "0.0###"
            elif hasattr(cell.value, "hour"):
                cell.number_format = "DD.MM.YYYY HH:MM"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, Decimal):
        # Whole numbers as integers, others as numbers with the stored four decimals.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def collegium_workbook(report: Collegium) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    current, previous = report.period.code, report.previous.code
    _sheet(
        workbook,
        str(_("Показатели")),
        [
            _("Охват"),
            _("Код"),
            _("Показатель"),
            _("Прежний показатель"),
            current,
            previous,
            _("Изменение"),
            _("Числитель"),
            _("Знаменатель"),
            _("Единица"),
            _("Сигнал"),
        ],
        _indicator_rows(report),
        (48, 28, 48, 10, 12, 12, 12, 12, 12, 10, 14),
    )
    _sheet(
        workbook,
        str(_("Личный состав")),
        [
            _("Охват"),
            _("Осуждено за коррупцию"),
            _("Привлечено к дисциплинарной ответственности"),
            _("Уволено по отрицательным мотивам"),
            _("Проверок на добропорядочность"),
            _("Не пройдено"),
            _("Проверок с результатом"),
            _("Доля не пройденных, %"),
        ],
        _staff_rows(report),
        (48, 14, 18, 18, 16, 12, 14, 14),
    )
    _sheet(
        workbook,
        str(_("Причины")),
        [_("Категория"), _("Код"), _("Возобновилось"), _("Департаментов"), _("Выявлено причин"), _("Устранено")],
        _category_rows(report),
        (48, 24, 14, 14, 14, 14),
    )
    _sheet(workbook, str(_("Утверждение")), [], _approval_rows(report), (34, 20, 14, 14, 50, 18))
    workbook.properties.title = str(_("Итоги работы за %(period)s") % {"period": period_label(report.period)})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def collegium_xlsx(*, user: Principal, report: Collegium, request: Any = None) -> tuple[bytes, str]:
    """(content, file name) of the report; the download is logged as an export of indicator values."""
    content = collegium_workbook(report)
    access_log_record(user=user, action=AccessAction.EXPORT, model=IndicatorValue, request=request)
    return content, f"collegium-{report.period.code}.xlsx"
