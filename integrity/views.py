"""Pages of the integrity app. Thin: forms validate shape, services decide and save, selectors read.

Every page that shows a staff record writes the access log (who, when, which record, from the web).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anticor import access
from anticor.access import Area
from anticor.models import AccessAction
from anticor.services import access_log_denied, access_log_record, access_log_records
from anticor.web import area_required, filtered, paginate, run_service
from integrity import selectors, services
from integrity.choices import (
    CHECK_MACHINE,
    DISCIPLINE_MACHINE,
    DISCIPLINE_MANUAL_TARGETS,
    CheckOutcome,
    CheckStatus,
    DisciplineStatus,
)
from integrity.filtersets import DisciplinaryRecordFilterSet, EmployeeFilterSet, IntegrityCheckFilterSet
from integrity.forms import (
    CheckApproveForm,
    CheckCancelForm,
    CheckCloseForm,
    CheckConductForm,
    CheckFollowUpForm,
    CheckInformForm,
    CheckReviewForm,
    ConvictionForm,
    DisciplinaryRecordForm,
    DisciplineTransitionForm,
    EmployeeForm,
    IntegrityCheckForm,
)
from integrity.models import DisciplinaryRecord, Employee, IntegrityCheck


def _denied(request, model: type[models.Model], value: Any = "", *, lookup: str = "pk", missing: bool = False):
    """A refused read of a staff record or a check, in the access log (auditors see probing, not only reads)."""
    access_log_denied(user=request.user, model=model, value=value, lookup=lookup, request=request)
    return Http404() if missing else PermissionDenied()


def _require_read(request, model: type[models.Model], value: Any = "", *, lookup: str = "pk") -> None:
    if not access.can_read_area(request.user, model.access_area):
        raise _denied(request, model, value, lookup=lookup)


def _log(request, *, action: str, obj: models.Model | None = None, model: type[models.Model] | None = None) -> None:
    access_log_record(user=request.user, action=action, obj=obj, model=model, request=request)


def _labelled(events: Iterable[Any], labels: type[models.TextChoices]) -> list[Any]:
    """Status events with their statuses spelled out for the timeline."""
    result = list(events)
    for event in result:
        event.from_label = labels(event.from_status).label if event.from_status in labels.values else ""
        event.to_label = labels(event.to_status).label if event.to_status in labels.values else event.to_status
    return result


def _page(request, template: str, context: dict[str, Any], *, status: int = 200):
    return render(request, f"integrity/{template}", context, status=status)


def _employee_or_404(request, personnel_number: str, *, for_update: bool = False) -> Employee:
    _require_read(request, Employee, personnel_number, lookup="personnel_number")
    employee = selectors.employee_by_number(request.user, personnel_number)
    if employee is None:
        raise _denied(request, Employee, personnel_number, lookup="personnel_number", missing=True)
    if for_update and not access.can_change(request.user, employee):
        raise _denied(request, Employee, employee.pk)
    return employee


def _form_page(request, form: forms.BaseForm, *, title: str, back: str, subject: str = "", status: int = 200):
    return _page(request, "form.html", {"form": form, "title": title, "back": back, "subject": subject}, status=status)


def _saved(request, form: forms.BaseForm, action: Callable[[], Any], *, success: str) -> Any:
    """On a valid POST the service saves; its refusals land on the form. Returns the result or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    return run_service(request, form, action, success=success)


# --- staff ------------------------------------------------------------------------------------------------------------


@require_GET
def employee_list(request):
    _require_read(request, Employee)
    queryset = selectors.employees(request.user)
    filterset = EmployeeFilterSet(request.GET or None, queryset=queryset, request=request)
    page = paginate(request, filtered(filterset, queryset))
    _log(request, action=AccessAction.LIST, model=Employee)
    for employee in page.object_list:
        employee.shown_iin = selectors.shown_iin(request.user, employee)
    return _page(
        request,
        "employee_list.html",
        {
            "filterset": filterset,
            "page": page,
            "can_create": access.can_write_area(request.user, Area.STAFF),
            "can_see_checks": access.can_read_area(request.user, Area.INTEGRITY_CHECKS),
        },
    )


@require_http_methods(["GET", "POST"])
def employee_create(request):
    area_required(request.user, Area.STAFF, write=True)
    form = EmployeeForm(request.POST or None, user=request.user)
    saved = _saved(
        request,
        form,
        lambda: services.employee_create(user=request.user, values=form.service_values()),
        success=_("Сотрудник добавлен."),
    )
    if saved is not None:
        return redirect(saved)
    return _form_page(request, form, title=_("Новый сотрудник"), back=reverse("integrity:employee-list"))


@require_GET
def employee_detail(request, personnel_number: str):
    user = request.user
    employee = _employee_or_404(request, personnel_number)
    records = list(selectors.disciplinary_records(user).filter(employee=employee))
    convictions = list(selectors.convictions(user).filter(employee=employee))
    can_see_checks = access.can_read_area(user, Area.INTEGRITY_CHECKS)
    checks = list(selectors.integrity_checks(user).filter(employee=employee)) if can_see_checks else []
    access_log_records(
        user=user, action=AccessAction.VIEW, objects=[employee, *records, *convictions, *checks], request=request
    )
    for record in records:
        record.warnings = services.discipline_deadline_warnings(record)
    return _page(
        request,
        "employee_detail.html",
        {
            "employee": employee,
            "shown_iin": selectors.shown_iin(user, employee),
            "records": records,
            "convictions": convictions,
            "checks": checks,
            "can_see_checks": can_see_checks,
            "can_edit": access.can_change(user, employee),
            "can_plan_check": access.can_write_area(user, Area.INTEGRITY_CHECKS)
            and employee.user_id != user.pk
            and employee.status == "active",
        },
    )


@require_http_methods(["GET", "POST"])
def employee_edit(request, personnel_number: str):
    employee = _employee_or_404(request, personnel_number, for_update=True)
    form = EmployeeForm(request.POST or None, instance=employee, user=request.user)

    def action():
        values = form.service_values()
        values.pop("personnel_number", None)
        return services.employee_update(
            user=request.user, employee_id=employee.pk, values=values, expected_version=form.cleaned_data["version"]
        )

    saved = _saved(request, form, action, success=_("Изменения сохранены."))
    if saved is not None:
        return redirect(saved)
    return _form_page(
        request,
        form,
        title=_("Изменение сведений о сотруднике"),
        back=employee.get_absolute_url(),
        subject=str(employee),
    )


# --- discipline -------------------------------------------------------------------------------------------------------


@require_GET
def discipline_list(request):
    _require_read(request, DisciplinaryRecord)
    queryset = selectors.disciplinary_records(request.user)
    filterset = DisciplinaryRecordFilterSet(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    _log(request, action=AccessAction.LIST, model=DisciplinaryRecord)
    return _page(request, "discipline_list.html", {"filterset": filterset, "page": page, "today": timezone.localdate()})


def _record_or_404(request, pk: int, *, for_update: bool = False) -> DisciplinaryRecord:
    _require_read(request, DisciplinaryRecord, pk)
    record = selectors.disciplinary_records(request.user).filter(pk=pk).first()
    if record is None:
        raise _denied(request, DisciplinaryRecord, pk, missing=True)
    if for_update and not access.can_change(request.user, record):
        raise _denied(request, DisciplinaryRecord, pk)
    return record


@require_http_methods(["GET", "POST"])
def discipline_create(request, personnel_number: str):
    employee = _employee_or_404(request, personnel_number, for_update=True)
    check = None
    if request.GET.get("check", "").isdigit():
        check = selectors.integrity_checks(request.user).filter(pk=int(request.GET["check"]), employee=employee).first()
    initial = {"corruption_related": True, "discovered_on": check.reviewed_on} if check else {}
    form = DisciplinaryRecordForm(request.POST or None, initial=initial)

    def action():
        return services.discipline_create(
            user=request.user,
            values={"employee": employee, **form.service_values()},
            follow_up_of_check_id=check.pk if check else None,
        )

    saved = _saved(request, form, action, success=_("Взыскание записано."))
    if saved is not None:
        for warning in services.discipline_deadline_warnings(saved):
            messages.warning(request, warning)
        return redirect(check.get_absolute_url() if check else saved.get_absolute_url())
    title = _("Взыскание по результатам проверки") if check else _("Новое дисциплинарное взыскание")
    return _form_page(request, form, title=title, back=employee.get_absolute_url(), subject=str(employee))


@require_GET
def discipline_detail(request, pk: int):
    user = request.user
    record = _record_or_404(request, pk)
    _log(request, action=AccessAction.VIEW, obj=record)
    can_edit = access.can_change(user, record)
    targets = DISCIPLINE_MACHINE.allowed(record.status, only=DISCIPLINE_MANUAL_TARGETS) if can_edit else ()
    transition_form = None
    if targets:
        transition_form = DisciplineTransitionForm(initial={"on": timezone.localdate(), "version": record.version})
        transition_form.fields["to"].choices = targets
    return _page(
        request,
        "discipline_detail.html",
        {
            "record": record,
            "employee": record.employee,
            "warnings": services.discipline_deadline_warnings(record),
            "events": _labelled(record.events.select_related("actor"), DisciplineStatus),
            "can_edit": can_edit,
            "transition_form": transition_form,
        },
    )


@require_http_methods(["GET", "POST"])
def discipline_edit(request, pk: int):
    record = _record_or_404(request, pk, for_update=True)
    form = DisciplinaryRecordForm(request.POST or None, instance=record)
    saved = _saved(
        request,
        form,
        lambda: services.discipline_update(
            user=request.user,
            record_id=record.pk,
            values=form.service_values(),
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Изменения сохранены."),
    )
    if saved is not None:
        return redirect(saved)
    return _form_page(
        request, form, title=_("Изменение взыскания"), back=record.get_absolute_url(), subject=str(record.employee)
    )


@require_POST
def discipline_transition(request, pk: int):
    record = _record_or_404(request, pk, for_update=True)
    form = DisciplineTransitionForm(request.POST)
    saved = _saved(
        request,
        form,
        lambda: services.discipline_transition(
            user=request.user,
            record_id=record.pk,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
            expected_version=form.cleaned_data["version"],
        ),
        success=_("Статус взыскания изменён."),
    )
    if saved is not None:
        return redirect(saved)
    return _form_page(
        request,
        form,
        title=_("Смена статуса взыскания"),
        back=record.get_absolute_url(),
        subject=str(record),
        status=400,
    )


# --- convictions ------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def conviction_create(request, personnel_number: str):
    employee = _employee_or_404(request, personnel_number, for_update=True)
    form = ConvictionForm(request.POST or None)
    saved = _saved(
        request,
        form,
        lambda: services.conviction_create(user=request.user, values={"employee": employee, **form.service_values()}),
        success=_("Приговор записан."),
    )
    if saved is not None:
        return redirect(f"{employee.get_absolute_url()}#convictions")
    return _form_page(request, form, title=_("Новый приговор"), back=employee.get_absolute_url(), subject=str(employee))


# --- integrity checks -------------------------------------------------------------------------------------------------


@require_GET
def check_list(request):
    _require_read(request, IntegrityCheck)
    queryset = selectors.integrity_checks(request.user)
    filterset = IntegrityCheckFilterSet(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    _log(request, action=AccessAction.LIST, model=IntegrityCheck)
    return _page(
        request,
        "check_list.html",
        {
            "filterset": filterset,
            "page": page,
            "can_create": access.can_write_area(request.user, Area.INTEGRITY_CHECKS),
        },
    )


def _check_or_404(request, pk: int, *, for_update: bool = False) -> IntegrityCheck:
    _require_read(request, IntegrityCheck, pk)
    check = selectors.integrity_checks(request.user).filter(pk=pk).first()
    if check is None:  # includes checks about the user: they do not exist for them
        raise _denied(request, IntegrityCheck, pk, missing=True)
    if for_update and not access.can_change(request.user, check):
        raise _denied(request, IntegrityCheck, pk)
    return check


def _check_employees(user: access.Principal) -> Any:
    """Whom the user may plan a check of: active staff they can see, never themselves."""
    queryset = selectors.employees(user).filter(status="active")
    return queryset.exclude(user=user) if getattr(user, "pk", None) else queryset


@require_http_methods(["GET", "POST"])
def check_create(request):
    area_required(request.user, Area.INTEGRITY_CHECKS, write=True)
    initial: dict[str, Any] = {}
    number = request.GET.get("employee", "")
    employees = _check_employees(request.user)
    if number:
        initial["employee"] = employees.filter(personnel_number=number).first()
    form = IntegrityCheckForm(request.POST or None, initial=initial, employees=employees)
    saved = _saved(
        request,
        form,
        lambda: services.check_create(user=request.user, values=form.service_values()),
        success=_("Проект проверки создан."),
    )
    if saved is not None:
        return redirect(saved)
    return _form_page(
        request, form, title=_("Новая проверка на добропорядочность"), back=reverse("integrity:check-list")
    )


@require_http_methods(["GET", "POST"])
def check_edit(request, pk: int):
    check = _check_or_404(request, pk, for_update=True)
    if check.status != CheckStatus.DRAFT:
        messages.error(request, _("Изменять план можно только у проекта проверки; утверждённый план неизменен."))
        return redirect(check)
    form = IntegrityCheckForm(request.POST or None, instance=check, employees=_check_employees(request.user))
    saved = _saved(
        request,
        form,
        lambda: services.check_update(
            user=request.user,
            check_id=check.pk,
            values=form.service_values(),
            expected_version=form.cleaned_data["version"],
        ),
        success=_("План проверки сохранён."),
    )
    if saved is not None:
        return redirect(saved)
    return _form_page(request, form, title=_("План проверки"), back=check.get_absolute_url(), subject=str(check))


# One entry per workflow step: the form, the service call, the message, the page title.
CheckStep = tuple[type[forms.Form], Callable[..., Any], str, str]


def _steps() -> dict[str, CheckStep]:
    return {
        "approve": (CheckApproveForm, services.check_approve, _("Проверка утверждена."), _("Утверждение проверки")),
        "conduct": (CheckConductForm, services.check_conduct, _("Проведение зафиксировано."), _("Проведение проверки")),
        "review": (CheckReviewForm, services.check_review, _("Результат зафиксирован."), _("Результат проверки")),
        "follow-up": (
            CheckFollowUpForm,
            services.check_link_follow_up,
            _("Взыскание связано с проверкой."),
            _("Последовавшее взыскание"),
        ),
        "inform": (
            CheckInformForm,
            services.check_inform,
            _("Дата ознакомления записана."),
            _("Ознакомление сотрудника"),
        ),
        "close": (CheckCloseForm, services.check_close, _("Проверка закрыта."), _("Закрытие проверки")),
        "cancel": (CheckCancelForm, services.check_cancel, _("Проверка отменена."), _("Отмена проверки")),
    }


def _follow_up_records(user: access.Principal, check: IntegrityCheck) -> Any:
    return selectors.disciplinary_records(user).filter(employee=check.employee, integrity_check__isnull=True)


def _step_forms(user: access.Principal, check: IntegrityCheck) -> dict[str, forms.Form]:
    """The forms of the steps open now (the service still decides; this only spares useless buttons)."""
    today = timezone.localdate()
    status = check.status
    result: dict[str, forms.Form] = {}
    if status == CheckStatus.DRAFT and access.has_capability(user, access.Capability.APPROVE_INTEGRITY_CHECKS):
        result["approve"] = CheckApproveForm(initial={"on": today})
    if status == CheckStatus.APPROVED:
        result["conduct"] = CheckConductForm(initial={"conducted_on": min(today, check.planned_to)})
    if status == CheckStatus.CONDUCTED:
        result["review"] = CheckReviewForm(initial={"reviewed_on": today})
    if status == CheckStatus.REVIEWED:
        if check.outcome == CheckOutcome.FAILED and check.follow_up_record_id is None:
            result["follow-up"] = CheckFollowUpForm(records=_follow_up_records(user, check))
        if check.employee_informed_on is None:
            result["inform"] = CheckInformForm(initial={"informed_on": today})
        result["close"] = CheckCloseForm(initial={"on": today})
    if CHECK_MACHINE.can(status, CheckStatus.CANCELLED):
        result["cancel"] = CheckCancelForm()
    for form in result.values():
        form.initial["version"] = check.version
    return result


@require_GET
def check_detail(request, pk: int):
    user = request.user
    check = _check_or_404(request, pk)
    _log(request, action=AccessAction.VIEW, obj=check)
    can_edit = access.can_change(user, check)
    return _page(
        request,
        "check_detail.html",
        {
            "check": check,
            "employee": check.employee,
            "next_step": services.check_next_step(check),
            "events": _labelled(check.events.select_related("actor"), CheckStatus),
            "step_forms": _step_forms(user, check) if can_edit else {},
            "can_edit": can_edit,
            "workflow": _workflow(check),
            "failed": check.outcome == CheckOutcome.FAILED,
        },
    )


def _workflow(check: IntegrityCheck) -> list[dict[str, Any]]:
    """The path draft → approved → conducted → reviewed → closed with the steps done marked."""
    order = [CheckStatus.DRAFT, CheckStatus.APPROVED, CheckStatus.CONDUCTED, CheckStatus.REVIEWED, CheckStatus.CLOSED]
    reached = order.index(check.status) if check.status in order else -1
    return [
        {"label": status.label, "done": index < reached, "current": index == reached}
        for index, status in enumerate(order)
    ]


@require_POST
def check_step(request, pk: int, step: str):
    steps = _steps()
    if step not in steps:
        raise Http404
    check = _check_or_404(request, pk, for_update=True)
    form_class, service, success, title = steps[step]
    form = (
        form_class(request.POST, records=_follow_up_records(request.user, check))
        if step == "follow-up"
        else form_class(request.POST)
    )

    def action():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if step == "follow-up":
            data = {"record_id": data["follow_up_record"].pk}
        return service(user=request.user, check_id=check.pk, expected_version=version, **data)

    saved = _saved(request, form, action, success=success)
    if saved is not None:
        return redirect(saved)
    return _form_page(request, form, title=title, back=check.get_absolute_url(), subject=str(check), status=400)


# --- the staff integrity summary -------------------------------------------------------------------------------------


@require_GET
def summary(request):
    if not selectors.can_read_summary(request.user):
        raise PermissionDenied
    raw = request.GET.get("period", "")
    error = ""
    try:
        period = selectors.parse_half_year(raw) if raw else selectors.half_year_of(timezone.localdate())
    except ValueError as invalid:
        error, period = str(invalid), selectors.half_year_of(timezone.localdate())
    rows = selectors.staff_integrity_summary(request.user, period)
    previous = {
        row.department.pk if row.department else None: row
        for row in selectors.staff_integrity_summary(request.user, period.previous)
    }
    return _page(
        request,
        "summary.html",
        {
            "period": period,
            "rows": [(row, previous.get(row.department.pk if row.department else None)) for row in rows],
            "error": error,
            "raw": raw,
            "choices": _half_years(),
        },
        status=400 if error else 200,
    )


def _half_years() -> Iterable[selectors.HalfYear]:
    today = selectors.half_year_of(timezone.localdate())
    period, result = today, []
    for _index in range(10):
        result.append(period)
        period = period.previous
    return result
