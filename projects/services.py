"""Writes of the projects app (DESIGN.md §4.3); the on-track rule is in :mod:`projects.kpis`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor import access
from anticor.access import AccessDenied
from anticor.versioning import check_version, save_new_version
from projects.choices import (
    MAX_ACTIVE_MANDATORY_DIRECTIONS,
    MILESTONE_MACHINE,
    PROJECT_MACHINE,
    KPISource,
    MilestoneStatus,
)
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk


def _require_change(user: access.Principal, obj: Any) -> None:
    if not access.can_change(user, obj):
        raise AccessDenied()


# --- directions ---------------------------------------------------------------------------------------------------


def direction_validate(direction: Direction) -> None:
    """At most six active mandatory directions (the agency's rule for every state body)."""
    if direction.is_active and direction.is_mandatory:
        others = Direction.objects.filter(is_active=True, is_mandatory=True).exclude(pk=direction.pk).count()
        if others >= MAX_ACTIVE_MANDATORY_DIRECTIONS:
            raise ValidationError(
                _("Действующих обязательных направлений не может быть больше %(max)s.")
                % {"max": MAX_ACTIVE_MANDATORY_DIRECTIONS}
            )


@transaction.atomic
def direction_save(*, user: access.Principal, direction: Direction) -> Direction:
    if not access.can_write_area(user, access.Area.REFERENCE):
        raise AccessDenied()
    Direction.objects.select_for_update().filter(is_active=True, is_mandatory=True).exists()  # serialise the count
    direction_validate(direction)
    direction.full_clean()
    direction.save()
    return direction


# --- projects ---------------------------------------------------------------------------------------------------------


def _validate_project(project: Project) -> None:
    if project.start_on and project.end_on and project.end_on < project.start_on:
        raise ValidationError({"end_on": [_("Окончание проекта не может быть раньше начала.")]})
    if project.direction_id and not project.direction.is_active:
        raise ValidationError({"direction": [_("Направление не действует.")]})


@transaction.atomic
def project_create(*, user: access.Principal, values: Mapping[str, Any]) -> Project:
    project = Project(**values)
    if not access.can_write_area(user, access.Area.PROJECTS):
        raise AccessDenied()
    _validate_project(project)
    project.full_clean()
    project.save()
    _require_change(user, project)  # a lead creates projects they lead or curate
    return project


@transaction.atomic
def project_update(
    *, user: access.Principal, project_id: int, expected_version: int | None, values: Mapping[str, Any]
) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    _require_change(user, project)
    check_version(project, expected_version)
    for name, value in values.items():
        setattr(project, name, value)
    _require_change(user, project)  # cannot hand the project to someone else and keep editing it by accident
    _validate_project(project)
    project.full_clean()
    save_new_version(project)
    return project


@transaction.atomic
def project_transition(
    *, user: access.Principal, project_id: int, to: str, expected_version: int | None = None
) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    _require_change(user, project)
    check_version(project, expected_version)
    PROJECT_MACHINE.check(project.status, to)
    project.status = to
    save_new_version(project, update_fields=["status", "updated_at"])
    return project


# --- KPIs and measurements --------------------------------------------------------------------------------------------


def _validate_kpi(kpi: KPI) -> None:
    errors: dict[str, list[str]] = {}
    if kpi.target is not None and kpi.baseline is not None and kpi.target == kpi.baseline:
        errors["target"] = [_("Целевое значение должно отличаться от базового.")]
    if kpi.target_on and kpi.project.start_on and kpi.target_on <= kpi.project.start_on:
        errors["target_on"] = [_("Срок достижения должен быть позже начала проекта.")]
    if kpi.source == "indicator" and not kpi.indicator_code:
        errors["indicator_code"] = [_("Для показателя из расчёта укажите код показателя.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def kpi_create(*, user: access.Principal, values: Mapping[str, Any]) -> KPI:
    kpi = KPI(**values)
    _require_change(user, kpi.project)
    _validate_kpi(kpi)
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_update(
    *, user: access.Principal, kpi_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> KPI:
    kpi = KPI.objects.select_for_update().select_related("project").get(pk=kpi_id)
    _require_change(user, kpi.project)
    check_version(kpi, expected_version)
    for name, value in values.items():
        setattr(kpi, name, value)
    _validate_kpi(kpi)
    kpi.full_clean()
    save_new_version(kpi)
    return kpi


@transaction.atomic
def kpi_measure(
    *, user: access.Principal, kpi_id: int, measured_on: dt.date, value: Decimal, evidence: str = "", period: str = ""
) -> KPIMeasurement:
    """Record a manual measurement; the date must fall within the project and not in the future."""
    kpi = KPI.objects.select_related("project").get(pk=kpi_id)
    _require_change(user, kpi.project)
    project = kpi.project
    if not (project.start_on <= measured_on <= project.end_on):
        raise ValidationError(
            {
                "measured_on": [
                    _("Дата измерения должна быть в сроках проекта: %(start)s — %(end)s.")
                    % {"start": project.start_on.strftime("%d.%m.%Y"), "end": project.end_on.strftime("%d.%m.%Y")}
                ]
            }
        )
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": [_("Дата измерения не может быть в будущем.")]})
    measurement = KPIMeasurement(
        kpi=kpi,
        measured_on=measured_on,
        period=period,
        value=value,
        evidence=evidence.strip(),
        source=kpi.source,
        entered_by=access.signed_in_user(user),
    )
    measurement.full_clean()
    measurement.save()
    return measurement


# --- milestones -------------------------------------------------------------------------------------------------------


@transaction.atomic
def milestone_transition(
    *,
    user: access.Principal,
    milestone_id: int,
    to: str,
    done_on: dt.date | None = None,
    evidence: str = "",
    expected_version: int | None = None,
) -> Milestone:
    """Mark a milestone done (evidence and date required), cancel it, or plan it again."""
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone_id)
    _require_change(user, milestone.project)
    check_version(milestone, expected_version)
    MILESTONE_MACHINE.check(milestone.status, to)
    if to == MilestoneStatus.DONE:
        errors = {}
        if not evidence.strip():
            errors["evidence"] = [_("Чтобы отметить выполнение, опишите подтверждение.")]
        if done_on is None:
            errors["done_on"] = [_("Укажите дату выполнения.")]
        elif done_on > timezone.localdate():
            errors["done_on"] = [_("Дата выполнения не может быть в будущем.")]
        if errors:
            raise ValidationError(errors)
        milestone.done_on, milestone.evidence = done_on, evidence.strip()
    elif to == MilestoneStatus.PLANNED:
        milestone.done_on = None
    milestone.status = to
    save_new_version(milestone)
    return milestone


# --- milestones, risks, public events: creation ----------------------------------------------------------------------


@transaction.atomic
def milestone_create(*, user: access.Principal, project: Project, title: str, due_on: dt.date) -> Milestone:
    _require_change(user, project)
    milestone = Milestone(project=project, title=title.strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def risk_create(
    *,
    user: access.Principal,
    project: Project,
    description: str,
    likelihood: int,
    impact: int,
    mitigation: str = "",
    owner: Any = None,
) -> Risk:
    _require_change(user, project)
    risk = Risk(
        project=project,
        description=description.strip(),
        likelihood=likelihood,
        impact=impact,
        mitigation=mitigation.strip(),
        owner=owner,
    )
    risk.full_clean()
    risk.save()
    return risk


@transaction.atomic
def public_event_create(
    *,
    user: access.Principal,
    project: Project,
    held_on: dt.date,
    kind: str,
    title: str,
    participants: int = 0,
    outcome: str = "",
) -> PublicEvent:
    _require_change(user, project)
    event = PublicEvent(
        project=project,
        held_on=held_on,
        kind=kind,
        title=title.strip(),
        participants=participants,
        outcome=outcome.strip(),
    )
    event.full_clean()
    event.save()
    return event


# --- partial updates of a project's rows (the API's PATCH) --------------------------------------------------------


def _project_row_patch(
    model: type[Any], *, user: access.Principal, row_id: int, values: Mapping[str, Any], expected_version: int | None
) -> Any:
    """Change the given fields of a milestone, risk or public event; the row stays in its project."""
    row = model.objects.select_for_update().select_related("project").get(pk=row_id)
    _require_change(user, row.project)
    check_version(row, expected_version)
    if "project" in values or "project_id" in values:
        raise ValidationError({"project": [_("Запись нельзя перенести в другой проект.")]})
    for name, value in values.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.full_clean()
    save_new_version(row)
    return row


@transaction.atomic
def milestone_patch(
    *, user: access.Principal, milestone_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> Milestone:
    """Title and due date only: the status, done date and evidence change through ``milestone_transition``."""
    unexpected = set(values) - {"title", "due_on"}
    if unexpected:
        raise ValidationError({name: [_("Поле меняется только сменой статуса.")] for name in sorted(unexpected)})
    return _project_row_patch(
        Milestone, user=user, row_id=milestone_id, values=values, expected_version=expected_version
    )


@transaction.atomic
def risk_patch(
    *, user: access.Principal, risk_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> Risk:
    return _project_row_patch(Risk, user=user, row_id=risk_id, values=values, expected_version=expected_version)


@transaction.atomic
def public_event_patch(
    *, user: access.Principal, public_event_id: int, values: Mapping[str, Any], expected_version: int | None = None
) -> PublicEvent:
    return _project_row_patch(
        PublicEvent, user=user, row_id=public_event_id, values=values, expected_version=expected_version
    )


# --- KPIs bound to an indicator (the nightly job) ---------------------------------------------------------------------


def kpi_indicator_measurements_record(*, periods: Sequence[str], today: dt.date) -> int:
    """Fill KPIs with ``source=indicator`` from the stored indicator values: one measurement per quarter.

    Each quarter among ``periods`` that overlaps the project (up to today) gets a measurement dated at the quarter's
    end (today for the current quarter, the project's end if sooner), with the value of the KPI's indicator for its
    scope (``agency`` when the scope is empty). Idempotent: a quarter whose latest measurement already holds the
    value gets none; a changed value adds a new measurement (history is kept). Runs inside the nightly job's
    transaction; one INSERT … SELECT. Returns how many measurements were added.
    """
    quarter_start = "make_date(substr(v.period, 1, 4)::int, 3 * substr(v.period, 7, 1)::int - 2, 1)"
    quarter_end = f"({quarter_start} + interval '3 months' - interval '1 day')::date"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO projects_kpimeasurement
                    (kpi_id, measured_on, period, value, source, evidence, entered_by_id, entered_at)
                SELECT k.id, least({quarter_end}, %(today)s, pr.end_on), v.period, round(v.value, 4), %(source)s,
                       %(evidence)s || v.code || ' / ' || v.scope || ' / ' || v.period, NULL, now()
                FROM projects_kpi k
                JOIN projects_project pr ON pr.id = k.project_id
                JOIN anticor_indicatorvalue v
                     ON v.code = k.indicator_code AND v.scope = coalesce(nullif(k.indicator_scope, ''), %(agency)s)
                WHERE k.source = %(source)s AND NOT k.is_archived AND v.value IS NOT NULL
                      AND v.period ~ '^[0-9]{{4}}-Q[1-4]$' AND v.period = ANY(%(periods)s)
                      AND {quarter_start} <= least(pr.end_on, %(today)s) AND {quarter_end} >= pr.start_on
                      AND (SELECT m.value FROM projects_kpimeasurement m
                           WHERE m.kpi_id = k.id AND m.period = v.period
                           ORDER BY m.id DESC LIMIT 1) IS DISTINCT FROM round(v.value, 4)""",  # noqa: S608
            {
                "today": today,
                "source": KPISource.INDICATOR,
                "agency": "agency",
                "periods": list(periods),
                "evidence": _("Ночной расчёт показателя: "),
            },
        )
        return cursor.rowcount
