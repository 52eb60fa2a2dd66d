"""Role pages: the role-change log (auditors, administrators) and the requests page (administrators propose,
internal security confirms or refuses). Thin: the services decide, the selectors scope."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anticor import access
from anticor.audit import client_ip
from anticor.roles import selectors, services
from anticor.roles.filtersets import RoleChangeFilterSet
from anticor.roles.forms import RoleChangeForm, RoleDecisionForm
from anticor.roles.models import RoleChange, RoleChangeStatus
from anticor.web import filtered, paginate


def _log_filterset(request):
    if not access.can_read_area(request.user, access.Area.AUDIT):
        raise PermissionDenied
    queryset = selectors.role_changes(request.user)
    return RoleChangeFilterSet(request.GET or None, queryset=queryset), queryset


@require_GET
def role_change_log(request):
    filterset, queryset = _log_filterset(request)
    page = paginate(request, filtered(filterset, queryset))
    return render(request, "roles/log.html", {"filterset": filterset, "page": page, "query": request.GET.urlencode()})


@require_GET
def role_change_export(request):
    from anticor.roles.exports import role_changes_csv

    filterset, queryset = _log_filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Выгрузка не выполнена: исправьте условия отбора."))
        return redirect(f"{request.path.rsplit('export/', 1)[0]}?{request.GET.urlencode()}")
    content, content_type, filename = role_changes_csv(
        user=request.user, queryset=filtered(filterset, queryset), request=request
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _add_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def role_requests(request):
    user = request.user
    if not access.can_open_role_requests(user):
        raise PermissionDenied
    can_propose = access.has_capability(user, access.Capability.MANAGE_ROLES)
    form = RoleChangeForm(request.POST or None) if can_propose else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                change = services.role_change_propose(
                    actor=user,
                    user_id=form.cleaned_data["user"].pk,
                    role=form.cleaned_data["role"],
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),
                )
            except access.AccessDenied as denied:
                form.add_error(None, str(denied))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if change.status == RoleChangeStatus.PROPOSED:
                    messages.success(request, _("Заявка подана: роль будет назначена после подтверждения."))
                else:
                    messages.success(request, _("Изменение роли применено и записано в журнал."))
                return redirect("roles:requests")
    pending = [
        {"change": change, "can_decide": access.can_decide_role_change(user, change)}
        for change in selectors.role_changes_pending(user)
    ]
    return render(
        request,
        "roles/requests.html",
        {"form": form, "pending": pending},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
def role_change_decide(request, pk: int):
    user = request.user
    if not access.can_open_role_requests(user):
        raise PermissionDenied
    form = RoleDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Решение не принято: выберите действие."))
        return redirect("roles:requests")
    deciders: dict[str, Callable[..., RoleChange]] = {
        RoleDecisionForm.CONFIRM: services.role_grant_confirm,
        RoleDecisionForm.REFUSE: services.role_grant_refuse,
        RoleDecisionForm.WITHDRAW: services.role_grant_withdraw,
    }
    decide = deciders[form.cleaned_data["decision"]]
    try:
        change = decide(actor=user, change_id=pk, reason=form.cleaned_data["reason"], ip=client_ip(request))
    except access.AccessDenied as denied:
        messages.error(request, str(denied))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Решение записано: %(status)s.") % {"status": change.get_status_display().lower()})
    return redirect("roles:requests")
