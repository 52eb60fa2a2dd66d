"""Indicator pages: the dashboards, the recompute action and its run page, the collegium half-year report.

Thin: the page modules (:mod:`~anticor.indicators.dashboard`, :mod:`~anticor.indicators.collegium`,
:mod:`~anticor.indicators.runs`, labels from :mod:`~anticor.indicators.labels`) read, the engine's services act;
a malformed period or an unknown scope is answered with a translated 400 page, a scope the user may not read with
403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anticor import access
from anticor.exports import XLSX_CONTENT_TYPE
from anticor.indicators import dashboard as boards
from anticor.indicators import runs
from anticor.indicators.collegium import collegium as collegium_report
from anticor.indicators.collegium import collegium_period
from anticor.indicators.labels import PeriodError, half_year_choices, parse_period, period_choices, period_label
from anticor.indicators.models import RunStatus
from anticor.indicators.selectors import indicator_definitions
from anticor.web import area_required


def _bad_input(request, message: str, *, back: str | None = None):
    return render(
        request,
        "indicators/bad_input.html",
        {"message": message, "back": back or reverse("indicators:dashboard")},
        status=400,
    )


def _period(request, *, collegium: bool = False):
    text = request.GET.get("period")
    if not text:
        return boards.default_period(request.user)
    return collegium_period(text) if collegium else parse_period(text)


@require_GET
def dashboard(request, code: str | None = None):
    user = request.user
    area_required(user, access.Area.INDICATORS)
    scope = code or request.GET.get("scope") or boards.default_scope(user)
    try:
        period = _period(request)
        board = boards.dashboard(user=user, scope=scope, period=period)
    except (PeriodError, boards.ScopeError) as error:
        return _bad_input(request, str(error))
    except access.AccessDenied as denied:
        raise PermissionDenied(str(denied)) from denied
    return render(
        request,
        "indicators/dashboard.html",
        {
            "board": board,
            "period_label": period_label(period),
            "scope_choices": boards.scope_choices(user),
            "period_choices": period_choices(boards.selector_years(user, period)),
            "can_recompute": access.can_write_area(user, access.Area.INDICATORS),
            "can_read_collegium": access.scope_for(user, access.Area.INDICATORS) == access.Scope.ALL,
            "collegium_period": period.code if period.kind == "half" else "",
        },
    )


@require_POST
def recompute(request):
    """Queue a recompute through Celery and show its run page (analysts only)."""
    from anticor.indicators.services import indicators_recompute_async

    if not access.can_write_area(request.user, access.Area.INDICATORS):
        raise PermissionDenied
    run = indicators_recompute_async(user=request.user)
    target = reverse("indicators:run-detail", args=[run.pk])
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        target = f"{target}?next={back}"
    if run.status != RunStatus.FAILED:  # one that could not be queued shows why on its page
        messages.success(request, _("Пересчёт показателей поставлен в очередь."))
    return redirect(target)


@require_GET
def run_detail(request, pk: int):
    try:
        run = runs.run_for(user=request.user, pk=pk)
    except access.AccessDenied as denied:
        raise PermissionDenied(str(denied)) from denied
    if run is None:
        raise Http404
    back = request.GET.get("next", "")
    if not (back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = reverse("indicators:dashboard")
    return render(request, "indicators/run_detail.html", {"run": runs.run_progress(run), "back": back})


def _collegium_or_error(request):
    try:
        period = _period(request, collegium=True)
        if period.kind != "half":
            period = collegium_period(period.code)
        return collegium_report(user=request.user, period=period), None
    except PeriodError as error:
        return None, _bad_input(request, str(error), back=reverse("indicators:collegium"))
    except access.AccessDenied as denied:
        raise PermissionDenied(str(denied)) from denied


@require_GET
def collegium(request):
    area_required(request.user, access.Area.INDICATORS)
    report, error = _collegium_or_error(request)
    if error is not None:
        return error
    return render(
        request,
        "indicators/collegium.html",
        {
            "report": report,
            "period_label": period_label(report.period),
            "previous_label": period_label(report.previous),
            "half_choices": half_year_choices(boards.selector_years(request.user, report.period)),
            "can_approve": access.has_capability(request.user, access.Capability.APPROVE_COLLEGIUM_REPORTS),
            "definitions": indicator_definitions(),
        },
    )


@require_GET
def collegium_xlsx(request):
    from anticor.indicators.reports import collegium_xlsx as build

    area_required(request.user, access.Area.INDICATORS)
    report, error = _collegium_or_error(request)
    if error is not None:
        return error
    content, filename = build(user=request.user, report=report, request=request)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def collegium_approve(request):
    """Approve the half-year's report: its period is locked (the engine's ``indicator_period_lock``)."""
    from anticor.indicators.services import indicator_period_lock

    user = request.user
    area_required(user, access.Area.INDICATORS)
    if not access.has_capability(user, access.Capability.APPROVE_COLLEGIUM_REPORTS):
        raise PermissionDenied
    text = request.POST.get("period", "")
    try:
        period = collegium_period(text)
    except PeriodError as error:
        return _bad_input(request, str(error), back=reverse("indicators:collegium"))
    note = request.POST.get("note", "").strip()[:2000]
    try:
        indicator_period_lock(user=user, period=period.code, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except access.AccessDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(
            request,
            _("Отчёт за %(period)s утверждён: значения периода зафиксированы.") % {"period": period_label(period)},
        )
    return redirect(f"{reverse('indicators:collegium')}?period={period.code}")
