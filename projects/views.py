"""Pages of the projects app. Thin: forms validate shape, services decide and save, selectors read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anticor import access
from anticor.web import area_required, filtered, paginate, run_service
from projects import services
from projects.charts import kpi_chart
from projects.choices import PROJECT_MACHINE, MilestoneStatus
from projects.filtersets import ProjectFilterSet
from projects.forms import (
    KPIForm,
    MeasurementForm,
    MilestoneDoneForm,
    MilestoneForm,
    MilestoneStatusForm,
    ProjectForm,
    ProjectTransitionForm,
    PublicEventForm,
    RiskEditForm,
    RiskForm,
)
from projects.models import KPI, Milestone, Project, PublicEvent, Risk
from projects.selectors import directions_overview, project_kpi_rows, risk_matrix


def _project_or_404(user: access.Principal, code: str, *, for_update: bool = False) -> Project:
    area_required(user, access.Area.PROJECTS)
    project = (
        access.visible(
            user,
            Project.objects.select_related("direction", "lead", "curator", "owner_department", "owner_state_body"),
        )
        .filter(code=code)
        .first()
    )
    if project is None:
        raise Http404
    if for_update and not access.can_change(user, project):
        raise PermissionDenied
    return project


def _project_url(project: Project, anchor: str = "") -> str:
    url = reverse("projects:project-detail", args=[project.code])
    return f"{url}#{anchor}" if anchor else url


def _model_values(form: forms.ModelForm) -> dict[str, Any]:
    """A row form's model fields, as the service takes them (the version the form carries goes separately)."""
    return {name: form.cleaned_data[name] for name in form._meta.fields}


@require_GET
def overview(request):
    area_required(request.user, access.Area.PROJECTS)
    return render(
        request,
        "projects/overview.html",
        {
            "directions": directions_overview(request.user, timezone.localdate()),
            "can_create": access.can_write_area(request.user, access.Area.PROJECTS),
        },
    )


@require_GET
def project_list(request):
    area_required(request.user, access.Area.PROJECTS)
    queryset = access.visible(
        request.user, Project.objects.select_related("direction", "lead", "owner_department", "owner_state_body")
    )
    filterset = ProjectFilterSet(request.GET or None, queryset=queryset)
    return render(
        request,
        "projects/project_list.html",
        {
            "filterset": filterset,
            "page": paginate(request, filtered(filterset, queryset)),
            "can_create": access.can_write_area(request.user, access.Area.PROJECTS),
        },
    )


def _project_form_page(request, *, project: Project | None):
    user = request.user
    form = ProjectForm(request.POST or None, instance=project or Project(), user=user)
    if request.method == "POST" and form.is_valid():
        if project is None:
            saved = run_service(
                request,
                form,
                lambda: services.project_create(user=user, values=form.service_values()),
                success=_("Проект создан."),
            )
        else:
            saved = run_service(
                request,
                form,
                lambda: services.project_update(
                    user=user,
                    project_id=project.pk,
                    expected_version=form.cleaned_data.get("version"),
                    values=form.service_values(),
                ),
                success=_("Изменения сохранены."),
            )
        if saved is not None:
            return redirect(_project_url(saved))
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@require_http_methods(["GET", "POST"])
def project_create(request):
    area_required(request.user, access.Area.PROJECTS, write=True)
    return _project_form_page(request, project=None)


@require_http_methods(["GET", "POST"])
def project_edit(request, code: str):
    return _project_form_page(request, project=_project_or_404(request.user, code, for_update=True))


@require_GET
def project_detail(request, code: str):
    project = _project_or_404(request.user, code)
    today = timezone.localdate()
    can_edit = access.can_change(request.user, project)
    milestones = list(project.milestones.all())
    for milestone in milestones:
        milestone.overdue = milestone.is_overdue(today)
    risks = list(project.risks.select_related("owner"))
    kpi_rows = project_kpi_rows(project)
    for row in kpi_rows:
        row.chart = kpi_chart(row.kpi, row.measurements)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "kpi_rows": kpi_rows,
            "milestones": milestones,
            "risks": risks,
            "matrix": risk_matrix(risks),
            "events": list(project.public_events.all()),
            "transitions": list(PROJECT_MACHINE.allowed(project.status)) if can_edit else [],
            "can_edit": can_edit,
            "done_form": MilestoneDoneForm(initial={"done_on": today}) if can_edit else None,
            "planned": MilestoneStatus.PLANNED,
        },
    )


@require_POST
def project_transition(request, code: str):
    project = _project_or_404(request.user, code, for_update=True)
    form = ProjectTransitionForm(request.POST)
    if form.is_valid():
        changed = run_service(
            request,
            form,
            lambda: services.project_transition(
                user=request.user,
                project_id=project.pk,
                to=form.cleaned_data["to"],
                expected_version=form.cleaned_data["version"],
            ),
            success=_("Статус проекта изменён."),
        )
        if changed is not None:
            return redirect(_project_url(project))
    return _child_page(request, project, form, _("Смена статуса проекта"), status=400)


# --- rows of a project ------------------------------------------------------------------------------------------------


def _child_page(request, project: Project, form: forms.BaseForm, title: str, *, status: int = 200, subject: str = ""):
    return render(
        request,
        "projects/child_form.html",
        {"project": project, "form": form, "title": title, "subject": subject},
        status=status,
    )


def _child_form(
    request,
    project: Project,
    form: forms.BaseForm,
    action: Callable[[], Any],
    *,
    title: str,
    success: str,
    anchor: str,
    subject: str = "",
):
    """A small form of a project's row: on a valid POST the service saves it and we go back to the project."""
    if request.method == "POST" and form.is_valid() and run_service(request, form, action, success=success) is not None:
        return redirect(_project_url(project, anchor))
    return _child_page(request, project, form, title, subject=subject)


@require_http_methods(["GET", "POST"])
def kpi_create(request, code: str):
    project = _project_or_404(request.user, code, for_update=True)
    form = KPIForm(request.POST or None, initial={"target_on": project.end_on})
    return _child_form(
        request,
        project,
        form,
        lambda: services.kpi_create(user=request.user, values={"project": project, **form.service_values()}),
        title=_("Новый KPI"),
        success=_("KPI добавлен."),
        anchor="kpis",
    )


def _kpi_or_404(project: Project, pk: int) -> KPI:
    kpi = KPI.objects.filter(project=project, pk=pk).first()
    if kpi is None:
        raise Http404
    return kpi


@require_http_methods(["GET", "POST"])
def kpi_edit(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    kpi = _kpi_or_404(project, pk)
    form = KPIForm(request.POST or None, instance=kpi)
    return _child_form(
        request,
        project,
        form,
        lambda: services.kpi_update(
            user=request.user,
            kpi_id=kpi.pk,
            values=form.service_values(),
            expected_version=form.cleaned_data["version"],
        ),
        title=_("Изменение KPI"),
        success=_("KPI изменён."),
        anchor="kpis",
        subject=kpi.name,
    )


@require_http_methods(["GET", "POST"])
def kpi_measure(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    kpi = _kpi_or_404(project, pk)
    form = MeasurementForm(request.POST or None, initial={"measured_on": timezone.localdate()})

    def action():
        return services.kpi_measure(user=request.user, kpi_id=kpi.pk, **form.cleaned_data)

    return _child_form(
        request,
        project,
        form,
        action,
        title=_("Новое измерение KPI"),
        success=_("Измерение сохранено."),
        anchor=f"kpi-{kpi.pk}",
        subject=kpi.name,
    )


@require_http_methods(["GET", "POST"])
def milestone_create(request, code: str):
    project = _project_or_404(request.user, code, for_update=True)
    form = MilestoneForm(request.POST or None)
    return _child_form(
        request,
        project,
        form,
        lambda: services.milestone_create(user=request.user, project=project, **_model_values(form)),
        title=_("Новая контрольная точка"),
        success=_("Контрольная точка добавлена."),
        anchor="milestones",
    )


@require_POST
def milestone_done(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    milestone = Milestone.objects.filter(project=project, pk=pk).first()
    if milestone is None:
        raise Http404
    form = MilestoneDoneForm(request.POST)
    if form.is_valid():
        done = run_service(
            request,
            form,
            lambda: services.milestone_transition(
                user=request.user,
                milestone_id=milestone.pk,
                to=MilestoneStatus.DONE,
                done_on=form.cleaned_data["done_on"],
                evidence=form.cleaned_data["evidence"],
                expected_version=form.cleaned_data["version"],
            ),
            success=_("Контрольная точка отмечена выполненной."),
        )
        if done is not None:
            return redirect(_project_url(project, "milestones"))
    return _child_page(request, project, form, _("Выполнение контрольной точки"), status=400, subject=milestone.title)


@require_http_methods(["GET", "POST"])
def risk_create(request, code: str):
    project = _project_or_404(request.user, code, for_update=True)
    form = RiskForm(request.POST or None)
    return _child_form(
        request,
        project,
        form,
        lambda: services.risk_create(user=request.user, project=project, **_model_values(form)),
        title=_("Новый риск"),
        success=_("Риск добавлен."),
        anchor="risks",
    )


@require_http_methods(["GET", "POST"])
def public_event_create(request, code: str):
    project = _project_or_404(request.user, code, for_update=True)
    form = PublicEventForm(request.POST or None)
    return _child_form(
        request,
        project,
        form,
        lambda: services.public_event_create(user=request.user, project=project, **_model_values(form)),
        title=_("Новое мероприятие с общественностью"),
        success=_("Мероприятие добавлено."),
        anchor="events",
    )


def _row_or_404(model, project: Project, pk: int):
    row = model.objects.filter(project=project, pk=pk).first()
    if row is None:
        raise Http404
    return row


def _changed_values(form: forms.ModelForm) -> dict[str, Any]:
    """The model fields the user changed (not the version the form carries)."""
    return {name: value for name, value in _model_values(form).items() if name in form.changed_data}


@require_http_methods(["GET", "POST"])
def milestone_edit(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    milestone = _row_or_404(Milestone, project, pk)
    form = MilestoneForm(request.POST or None, instance=milestone)
    return _child_form(
        request,
        project,
        form,
        lambda: services.milestone_patch(
            user=request.user,
            milestone_id=milestone.pk,
            values=_changed_values(form),
            expected_version=form.cleaned_data["version"],
        ),
        title=_("Изменение контрольной точки"),
        success=_("Изменения сохранены."),
        anchor="milestones",
        subject=milestone.title,
    )


@require_POST
def milestone_status(request, code: str, pk: int):
    """Cancel a planned milestone or plan a cancelled one again (done is marked with evidence, above)."""
    project = _project_or_404(request.user, code, for_update=True)
    milestone = _row_or_404(Milestone, project, pk)
    target = request.POST.get("to", "")
    if target not in {MilestoneStatus.CANCELLED, MilestoneStatus.PLANNED}:
        raise Http404
    form = MilestoneStatusForm(request.POST)
    form.is_valid()
    done = run_service(
        request,
        form,
        lambda: services.milestone_transition(
            user=request.user, milestone_id=milestone.pk, to=target, expected_version=form.cleaned_data.get("version")
        ),
        success=_("Статус контрольной точки изменён."),
    )
    if done is None:
        return _child_page(request, project, form, _("Контрольная точка"), status=400, subject=milestone.title)
    return redirect(_project_url(project, "milestones"))


@require_http_methods(["GET", "POST"])
def risk_edit(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    risk = _row_or_404(Risk, project, pk)
    form = RiskEditForm(request.POST or None, instance=risk)
    return _child_form(
        request,
        project,
        form,
        lambda: services.risk_patch(
            user=request.user,
            risk_id=risk.pk,
            values=_changed_values(form),
            expected_version=form.cleaned_data["version"],
        ),
        title=_("Изменение риска"),
        success=_("Изменения сохранены."),
        anchor="risks",
    )


@require_http_methods(["GET", "POST"])
def public_event_edit(request, code: str, pk: int):
    project = _project_or_404(request.user, code, for_update=True)
    event = _row_or_404(PublicEvent, project, pk)
    form = PublicEventForm(request.POST or None, instance=event)
    return _child_form(
        request,
        project,
        form,
        lambda: services.public_event_patch(
            user=request.user,
            public_event_id=event.pk,
            values=_changed_values(form),
            expected_version=form.cleaned_data["version"],
        ),
        title=_("Изменение мероприятия"),
        success=_("Изменения сохранены."),
        anchor="events",
        subject=event.title,
    )
