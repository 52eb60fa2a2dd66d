"""Reads of the integrity app, always scoped through :mod:`anticor.access` (need-to-know)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import Area
from anticor.identifiers import mask_iin
from anticor.models import Department
from integrity.choices import CheckOutcome, DisciplineStatus
from integrity.models import Conviction, DisciplinaryRecord, Employee, IntegrityCheck

_HALF_YEAR = re.compile(r"^(?P<year>\d{4})-H(?P<half>[12])$", re.ASCII)  # ASCII: \d would take "２０２２"


def can_see_personal_data(user: access.Principal | None) -> bool:
    """The full IIN is for those who keep the staff records (internal security); others see it masked."""
    return access.can_see_personal_fields(user, Employee)


def shown_iin(user: access.Principal, employee: Employee) -> str:
    return employee.iin if can_see_personal_data(user) else mask_iin(employee.iin)


def employees(user: access.Principal) -> QuerySet[Employee]:
    return access.visible(user, Employee.objects.select_related("department"))


def employee_by_number(user: access.Principal, personnel_number: str) -> Employee | None:
    return employees(user).filter(personnel_number=personnel_number).first()


def disciplinary_records(user: access.Principal) -> QuerySet[DisciplinaryRecord]:
    return access.visible(
        user, DisciplinaryRecord.objects.select_related("employee", "employee__department", "sanction")
    )


def convictions(user: access.Principal) -> QuerySet[Conviction]:
    return access.visible(user, Conviction.objects.select_related("employee", "employee__department", "article"))


def integrity_checks(user: access.Principal) -> QuerySet[IntegrityCheck]:
    """Checks the user may see: internal security only, never those about the user themselves."""
    return access.visible(
        user,
        IntegrityCheck.objects.select_related(
            "employee", "employee__department", "tester", "approver", "follow_up_record"
        ),
    )


# --- the staff integrity summary (the figures the collegium reviews) ------------------------------------------------


@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    @property
    def label(self) -> str:
        return _("%(half)s полугодие %(year)s года") % {"half": "I" if self.half == 1 else "II", "year": self.year}


def parse_half_year(value: str) -> HalfYear:
    match = _HALF_YEAR.fullmatch(value or "")  # not .match: "$" also matches before a trailing newline
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise ValueError(_("Полугодие указывается в виде ГГГГ-H1 или ГГГГ-H2, например 2022-H1."))
    return HalfYear(int(match["year"]), int(match["half"]))


def half_year_of(day: dt.date) -> HalfYear:
    return HalfYear(day.year, 1 if day.month <= 6 else 2)


@dataclass
class SummaryRow:
    department: Department | None  # None: the agency total
    employees: int = 0
    convicted: int = 0
    disciplined: int = 0
    dismissed_negative: int = 0
    checks_conducted: int = 0
    checks_failed: int = 0


def can_read_summary(user: access.Principal) -> bool:
    """Aggregated figures without names: for the collegium's readers as well as internal security."""
    return access.can_read_area(user, Area.STAFF) or access.can_read_area(user, Area.INDICATORS)


def _summary_departments(user: access.Principal) -> QuerySet[Department]:
    departments = Department.objects.filter(is_active=True).select_related("region").order_by("code")
    scope = max(access.scope_for(user, Area.STAFF), access.scope_for(user, Area.INDICATORS))
    if scope == access.Scope.ALL:
        return departments
    return departments.filter(pk__in=access.department_ids(user))


def staff_integrity_summary(user: access.Principal, period: HalfYear) -> list[SummaryRow]:
    """Per department and for the agency: employees convicted, disciplined (sanctions imposed, dismissals included,
    overturned ones not counted), dismissed on negative grounds, checks conducted and failed in the half-year.

    Counts of distinct employees by their current department, grouped in the database: four aggregate queries
    whatever the staff size. Each employee belongs to one department, so the agency total is the sum.
    """
    if not can_read_summary(user):
        raise access.AccessDenied()
    departments = list(_summary_departments(user))
    ids = [d.pk for d in departments]
    start, end = period.start, period.end

    def by_department(queryset: QuerySet, dept_path: str, **aggregates: Any) -> dict[int | None, dict[str, int]]:
        grouped = queryset.filter(**{f"{dept_path}__in": ids}).values(dept_path).annotate(**aggregates)
        return {row[dept_path]: row for row in grouped}

    staff = by_department(
        Employee.objects.filter(hired_on__lte=end).exclude(dismissed_on__lt=start),
        "department",
        employees=Count("pk"),
    )
    convicted = by_department(
        Conviction.objects.filter(verdict_on__range=(start, end)),
        "employee__department",
        convicted=Count("employee", distinct=True),
    )
    sanctions = by_department(
        DisciplinaryRecord.objects.filter(imposed_on__range=(start, end)).exclude(status=DisciplineStatus.OVERTURNED),
        "employee__department",
        disciplined=Count("employee", distinct=True),
        dismissed_negative=Count("employee", distinct=True, filter=Q(negative_grounds=True)),
    )
    checks = by_department(
        IntegrityCheck.objects.filter(conducted_on__range=(start, end)),
        "employee__department",
        checks_conducted=Count("pk"),
        checks_failed=Count("pk", filter=Q(outcome=CheckOutcome.FAILED)),
    )
    rows = []
    total = SummaryRow(department=None)
    fields = ("employees", "convicted", "disciplined", "dismissed_negative", "checks_conducted", "checks_failed")
    for department in departments:
        row = SummaryRow(department=department)
        for source in (staff, convicted, sanctions, checks):
            for name, value in source.get(department.pk, {}).items():
                if name in fields:
                    setattr(row, name, value)
        for name in fields:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        rows.append(row)
    rows.append(total)
    return rows
