"""Indicators of the agency's own ranks (DESIGN.md §4.5): convictions, discipline and integrity checks.

Scope: the employee's current ``department``. Discipline records that were ``overturned`` never happened in law and
are not counted; lifted, expired or appealed ones were imposed and are. Convictions are of corruption crimes by
construction (their article is one of the corruption articles).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anticor.indicators.periods import Period, PeriodKind
from anticor.indicators.registry import Better, Group, IndicatorDefinition, RecordList, Unit, register, registry
from anticor.indicators.sql import aggregate
from integrity.choices import CheckOutcome, DisciplineStatus

IMPOSED = f"""
    SELECT r.id, e.department_id, r.imposed_on AS day, r.employee_id, s.is_dismissal AND r.negative_grounds AS negative
    FROM integrity_disciplinaryrecord r
    JOIN integrity_employee e ON e.id = r.employee_id
    JOIN integrity_sanction s ON s.id = r.sanction_id
    WHERE r.status <> '{DisciplineStatus.OVERTURNED.value}'
"""
CONDUCTED = """
    SELECT ic.id, e.department_id, ic.conducted_on AS day, ic.outcome
    FROM integrity_integritycheck ic JOIN integrity_employee e ON e.id = ic.employee_id
    WHERE ic.conducted_on IS NOT NULL
"""
EARLIEST_RECORD = "SELECT min(imposed_on) FROM integrity_disciplinaryrecord"

register(
    IndicatorDefinition(
        code="staff_convicted",
        name=_("Сотрудники, осуждённые за коррупционные преступления"),
        unit=Unit.COUNT,
        better=Better.LOWER,
        group=Group.STAFF,
        order=110,
        formula=_("Число разных сотрудников с приговором, вынесенным в периоде"),
        sql=aggregate(
            facts="""SELECT v.id, e.department_id, v.verdict_on AS day, v.employee_id
                     FROM integrity_conviction v JOIN integrity_employee e ON e.id = v.employee_id""",
            numerator="count(DISTINCT f.employee_id)",
        ),
        earliest_sql="SELECT min(verdict_on) FROM integrity_conviction",
    )
)

register(
    IndicatorDefinition(
        code="staff_disciplined",
        name=_("Сотрудники, привлечённые к дисциплинарной ответственности"),
        unit=Unit.COUNT,
        better=Better.NONE,
        group=Group.STAFF,
        order=120,
        formula=_(
            "Число разных сотрудников, на которых в периоде наложено взыскание (включая увольнение; отменённые "
            "взыскания не учитываются)"
        ),
        sql=aggregate(facts=IMPOSED, numerator="count(DISTINCT f.employee_id)"),
        earliest_sql=EARLIEST_RECORD,
    )
)

register(
    IndicatorDefinition(
        code="staff_dismissed_negative",
        name=_("Уволенные по отрицательным мотивам"),
        unit=Unit.COUNT,
        better=Better.NONE,
        group=Group.STAFF,
        order=130,
        formula=_("Число разных сотрудников, уволенных в периоде по отрицательным мотивам"),
        sql=aggregate(facts=IMPOSED, numerator="count(DISTINCT f.employee_id) FILTER (WHERE f.negative)"),
        earliest_sql=EARLIEST_RECORD,
    )
)

register(
    IndicatorDefinition(
        code="integrity_checks_conducted",
        name=_("Проведено проверок на добропорядочность"),
        unit=Unit.COUNT,
        better=Better.NONE,
        group=Group.STAFF,
        order=140,
        formula=_("Число проверок на добропорядочность с датой проведения в периоде"),
        sql=aggregate(facts=CONDUCTED, numerator="count(f.id)"),
        earliest_sql="SELECT min(conducted_on) FROM integrity_integritycheck",
    )
)

register(
    IndicatorDefinition(
        code="integrity_check_fail_rate",
        name=_("Непройденные проверки на добропорядочность"),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        group=Group.STAFF,
        order=150,
        formula=_("Непройденные проверки ÷ проведённые в периоде проверки с установленным результатом × 100%"),
        sql=aggregate(
            facts=CONDUCTED,
            numerator=f"count(f.id) FILTER (WHERE f.outcome = '{CheckOutcome.FAILED.value}')",
            denominator="count(f.id) FILTER (WHERE f.outcome <> '')",
        ),
        earliest_sql="SELECT min(conducted_on) FROM integrity_integritycheck",
    )
)


def record_lists(code: str, period: Period, department: str | None) -> list[RecordList]:
    """A staff figure of a half-year links to the staff summary: figures without names are what readers of
    indicators may see of the staff records."""
    if code in registry and registry.get(code).group == Group.STAFF and period.kind == PeriodKind.HALF:
        return [(_("Сводка по личному составу"), "integrity:summary", {"period": period.code})]
    return []


registry.register_record_lists(record_lists)
