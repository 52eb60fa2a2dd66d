"""Pages of the cases app. Thin: forms validate shape, services decide and save, selectors scope reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anticor import access
from anticor.forms import clear_errors
from anticor.web import area_required, filtered, paginate, run_service
from cases import services
from cases.choices import RECOMMENDATION_MACHINE, ROOT_CAUSE_MACHINE
from cases.filtersets import CaseFilterSet, RecommendationFilterSet, RootCauseFilterSet, overdue_recommendations
from cases.forms import (
    ArchiveForm,
    AssignForm,
    BulkAssignForm,
    CaseForm,
    ImportForm,
    LinkCasesForm,
    MeasureFormSet,
    RecommendationForm,
    RecommendationTransitionForm,
    RootCauseForm,
    RootCauseTransitionForm,
    SubjectFormSet,
    TransitionForm,
)
from cases.models import Case, CaseEvent, Recommendation, RootCause

EXPORT_FORMATS = {"csv", "xlsx"}


def _case_or_404(user: access.Principal, number: str, *, for_update: bool = False) -> Case:
    case = (
        access.visible(user, Case.objects.select_related("department", "state_body", "sector", "investigator"))
        .filter(registration_number=number)
        .first()
    )
    if case is None:
        raise Http404
    if for_update and not access.can_change(user, case):
        raise PermissionDenied
    return case


# --- cases -----------------------------------------------------------------------------------------------------------


def _case_list_queryset(user: access.Principal):
    return access.visible(
        user,
        Case.objects.select_related("department", "state_body", "sector", "investigator").prefetch_related("articles"),
    )


@require_GET
def case_list(request):
    area_required(request.user, access.Area.CASES)
    queryset = _case_list_queryset(request.user)
    filterset = CaseFilterSet(request.GET or None, queryset=queryset, request=request)
    page = paginate(request, filtered(filterset, queryset))
    today = timezone.localdate()
    overdue_ids = set(
        access.visible(request.user, overdue_recommendations(today))
        .filter(root_causes__cases__in=[case.pk for case in page.object_list])
        .values_list("root_causes__cases", flat=True)
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "filterset": filterset,
            "page": page,
            "overdue_ids": overdue_ids,
            "can_create": access.can_write_area(request.user, access.Area.CASES),
            "assign_form": BulkAssignForm(user=request.user, initial={"query": request.GET.urlencode()})
            if _may_assign(request.user)
            else None,
        },
    )


def _may_assign(user: access.Principal) -> bool:
    return access.can_write_area(user, access.Area.CASES) and access.has_capability(
        user, access.Capability.ASSIGN_CASES
    )


def _assign(request, form, *, case_ids, expected_version=None, success: str) -> None:
    """Call the assignment service for a valid form; a refusal goes to the page the user returns to, as a message."""
    data = form.cleaned_data
    run_service(
        request,
        form,
        lambda: services.case_assign(
            user=request.user,
            case_ids=case_ids,
            investigator_id=data["investigator"].pk,
            reason=data["reason"],
            expected_version=expected_version,
        ),
        success=success,
    )
    if form.errors:
        _assign_refused(request, form)


def _assign_refused(request, form) -> None:
    """The form's errors as one message on the page the user returns to."""
    messages.error(
        request,
        _("Назначение не выполнено: %(errors)s")
        % {"errors": " ".join(str(error) for errors in form.errors.values() for error in errors)},
    )


@require_POST
def case_assign_bulk(request):
    """The head assigns the ticked cases of the list at once; back to the list with its filters."""
    area_required(request.user, access.Area.CASES, write=True)
    if not _may_assign(request.user):
        raise PermissionDenied
    form = BulkAssignForm(request.POST, user=request.user)
    if form.is_valid():
        cases = form.cleaned_data["cases"]
        _assign(request, form, case_ids=cases, success=_("Назначено дел: %(count)s.") % {"count": len(set(cases))})
    else:
        _assign_refused(request, form)
    query = QueryDict(request.POST.get("query", "")).urlencode()  # re-encoded: only a query string goes back
    return redirect(f"{reverse('cases:case-list')}?{query}" if query else reverse("cases:case-list"))


@require_POST
def case_assign(request, number: str):
    """The head assigns one case from its page."""
    case = _case_or_404(request.user, number, for_update=True)
    if not _may_assign(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST, user=request.user)
    if form.is_valid():
        _assign(
            request,
            form,
            case_ids=[case.pk],
            expected_version=form.cleaned_data["version"],
            success=_("Следователь назначен."),
        )
    else:
        _assign_refused(request, form)
    return redirect(case)


@require_GET
def case_export(request, fmt: str):
    from cases.exports import cases_export

    area_required(request.user, access.Area.CASES)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    queryset = access.visible(request.user, Case.objects.all())
    filterset = CaseFilterSet(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Выгрузка не выполнена: исправьте условия отбора."))
        return redirect(f"{request.path.rsplit('/export/', 1)[0]}/?{request.GET.urlencode()}")
    content, content_type, filename = cases_export(
        user=request.user, queryset=filtered(filterset, queryset), fmt=fmt, request=request
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _case_form_page(request, *, case: Case | None):
    user = request.user
    instance = case or Case()
    form = CaseForm(request.POST or None, instance=instance, user=user)
    formset = SubjectFormSet(request.POST or None, instance=instance, prefix="subjects")
    if request.method == "POST" and "add_subject" in request.POST:
        # Add a row without losing what was typed (works without JavaScript).
        data = request.POST.copy()
        data["subjects-TOTAL_FORMS"] = str(int(data.get("subjects-TOTAL_FORMS", 0) or 0) + 1)
        form = CaseForm(data, instance=instance, user=user)
        formset = SubjectFormSet(data, instance=instance, prefix="subjects")
        clear_errors(form, formset)
        return render(request, "cases/case_form.html", {"form": form, "formset": formset, "case": case, "adding": True})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        articles = [a.pk for a in form.cleaned_data["articles"]]
        if case is None:
            number = form.cleaned_data["registration_number"]
            saved = run_service(
                request,
                form,
                lambda: services.case_create(
                    user=user,
                    values=form.service_values(),
                    article_ids=articles,
                    subjects=formset.subject_data(),
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Дело %(number)s зарегистрировано.") % {"number": number},
            )
        else:
            saved = run_service(
                request,
                form,
                lambda: services.case_update(
                    user=user,
                    case_id=case.pk,
                    expected_version=form.cleaned_data.get("version"),
                    values=form.service_values(),
                    article_ids=articles,
                    subjects=formset.subject_data(),
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Изменения сохранены."),
            )
        if saved is not None:
            return redirect(saved)
    return render(request, "cases/case_form.html", {"form": form, "formset": formset, "case": case})


@require_http_methods(["GET", "POST"])
def case_create(request):
    area_required(request.user, access.Area.CASES, write=True)
    return _case_form_page(request, case=None)


@require_http_methods(["GET", "POST"])
def case_edit(request, number: str):
    case = _case_or_404(request.user, number, for_update=True)
    if case.is_final or case.is_archived:
        messages.error(request, _("Дело в окончательном статусе или в архиве изменять нельзя."))
        return redirect(case)
    return _case_form_page(request, case=case)


@require_GET
def case_detail(request, number: str):
    case = _case_or_404(request.user, number)
    # Related rows pass the permission point too: a cause or recommendation of another department stays hidden.
    recommendations_shown = access.visible(request.user, Recommendation.objects.select_related("addressee"))
    root_causes = list(
        access.visible(request.user, case.root_causes.select_related("category", "state_body")).prefetch_related(
            Prefetch("recommendations", queryset=recommendations_shown)
        )
    )
    recommendations = {rec.pk: rec for cause in root_causes for rec in cause.recommendations.all()}
    allowed = services.case_allowed_transitions(user=request.user, case=case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "articles": list(case.articles.all()),
            "subjects": list(case.subjects.filter(is_removed=False).select_related("state_body")),
            "events": list(CaseEvent.objects.filter(case=case).select_related("actor")),
            "root_causes": root_causes,
            "recommendations": sorted(recommendations.values(), key=lambda r: r.pk),
            "today": timezone.localdate(),
            "transition_form": TransitionForm(allowed=allowed, initial={"version": case.version}, record=case)
            if allowed
            else None,
            "can_edit": access.can_change(request.user, case) and not case.is_final and not case.is_archived,
            "assign_form": AssignForm(
                user=request.user,
                initial={"version": case.version, "investigator": case.investigator_id},
            )
            if _may_assign(request.user)
            and access.can_change(request.user, case)
            and not case.is_final
            and not case.is_archived
            else None,
            "archive_form": ArchiveForm()
            if access.can_change(request.user, case)
            and access.has_capability(request.user, access.Capability.CLOSE_CASES)
            and not case.is_archived
            else None,
        },
    )


@require_POST
def case_transition(request, number: str):
    case = _case_or_404(request.user, number, for_update=True)
    allowed = services.case_allowed_transitions(user=request.user, case=case)
    form = TransitionForm(request.POST, allowed=allowed, record=case)
    if form.is_valid():
        data = form.cleaned_data
        merged_into = None
        if data["merged_into"]:
            merged_into = access.visible(
                request.user, Case.objects.filter(registration_number=data["merged_into"])
            ).first()
        changed = run_service(
            request,
            form,
            lambda: services.case_transition(
                user=request.user,
                case_id=case.pk,
                to=data["to"],
                reason=data["reason"],
                on=data["on"],
                termination_ground_id=data["termination_ground"].pk if data["termination_ground"] else None,
                merged_into_id=merged_into.pk if merged_into else (0 if data["merged_into"] else None),
                expected_version=data["version"],
                restatement_reason=data["restatement_reason"],
            ),
            success=_("Статус дела изменён."),
        )
        if changed is not None:
            return redirect(case)
    # The transition form again, with the errors next to its fields.
    return render(
        request,
        "cases/case_transition.html",
        {"case": case, "transition_form": form},
        status=400,
    )


@require_POST
def case_archive(request, number: str):
    case = _case_or_404(request.user, number, for_update=True)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        if not access.has_capability(request.user, access.Capability.CLOSE_CASES):
            raise PermissionDenied
        archived = run_service(
            request,
            form,
            lambda: services.case_archive(user=request.user, case_id=case.pk, reason=form.cleaned_data["reason"]),
            success=_("Дело перемещено в архив."),
        )
        if archived is not None:
            return redirect(case)
    return render(request, "cases/case_archive.html", {"case": case, "archive_form": form}, status=400)


@require_http_methods(["GET", "POST"])
def case_import(request):
    from cases.imports import case_import as run_import

    area_required(request.user, access.Area.CASES, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = run_import(
            user=request.user, uploaded_file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
        if result.ok and not form.cleaned_data["dry_run"]:
            messages.success(request, _("Импортировано дел: %(count)s.") % {"count": result.created})
            return redirect("cases:case-list")
        if result.ok:
            messages.success(
                request, _("Файл проверен, ошибок нет. Дел к импорту: %(count)s.") % {"count": result.created}
            )
    return render(request, "cases/case_import.html", {"form": form, "result": result})


@require_GET
def case_import_template(request):
    from cases.imports import import_template_xlsx

    area_required(request.user, access.Area.CASES, write=True)
    response = HttpResponse(
        import_template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="anticor-cases-template.xlsx"'
    return response


# --- root causes -----------------------------------------------------------------------------------------------------


def _root_cause_or_404(user: access.Principal, pk: int, *, for_update: bool = False) -> RootCause:
    cause = (
        access.visible(
            user,
            RootCause.objects.select_related(
                "category", "state_body", "department", "identified_by", "verified_by", "no_recommendation_by"
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if cause is None:
        raise Http404
    if for_update and not access.can_change(user, cause):
        raise PermissionDenied
    return cause


@require_GET
def root_cause_list(request):
    area_required(request.user, access.Area.CASES)
    queryset = access.visible(
        request.user,
        RootCause.objects.select_related("category", "state_body", "department")
        .annotate(case_count=Count("cases"))
        .order_by("-identified_on", "-id"),
    )
    filterset = RootCauseFilterSet(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    return render(
        request,
        "cases/root_cause_list.html",
        {"filterset": filterset, "page": page, "can_create": access.can_write_area(request.user, access.Area.CASES)},
    )


@require_http_methods(["GET", "POST"])
def root_cause_form(request, pk: int | None = None):
    cause = _root_cause_or_404(request.user, pk, for_update=True) if pk else None
    if cause is None:
        area_required(request.user, access.Area.CASES, write=True)
    from_case = None
    if cause is None and request.GET.get("case"):
        from_case = access.visible(request.user, Case.objects.filter(registration_number=request.GET["case"])).first()
    initial = {"state_body": from_case.state_body_id, "identified_on": timezone.localdate()} if from_case else None
    form = RootCauseForm(request.POST or None, instance=cause or RootCause(), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if cause is None:
            case_ids = [from_case.pk] if from_case else []
            saved = run_service(
                request,
                form,
                lambda: services.root_cause_create(
                    user=request.user,
                    values=form.service_values(),
                    case_ids=case_ids,
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Причина записана."),
            )
        else:
            saved = run_service(
                request,
                form,
                lambda: services.root_cause_update(
                    user=request.user,
                    root_cause_id=cause.pk,
                    expected_version=form.cleaned_data.get("version"),
                    values=form.service_values(),
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Изменения сохранены."),
            )
        if saved is not None:
            return redirect(saved)
    return render(request, "cases/root_cause_form.html", {"form": form, "cause": cause, "from_case": from_case})


@require_GET
def root_cause_detail(request, pk: int):
    cause = _root_cause_or_404(request.user, pk)
    can_edit = access.can_change(request.user, cause)
    transition_form = _root_cause_transition_form(request.user, cause)
    return render(
        request,
        "cases/root_cause_detail.html",
        {
            "cause": cause,
            "cases": list(access.visible(request.user, cause.cases.select_related("department"))),
            "recommendations": list(access.visible(request.user, cause.recommendations.select_related("addressee"))),
            "events": list(cause.events.select_related("actor")),
            "can_edit": can_edit,
            "transition_form": transition_form if transition_form.fields["to"].choices else None,
            "link_form": LinkCasesForm() if can_edit else None,
            "today": timezone.localdate(),
        },
    )


def _root_cause_transition_form(user: access.Principal, cause: RootCause, data=None) -> RootCauseTransitionForm:
    """The transition form offering only the moves the user may make now (regression is the nightly job's)."""
    allowed = services.root_cause_allowed_transitions(user=user, cause=cause)
    form = RootCauseTransitionForm(data, initial={"version": cause.version}, record=cause)
    form.fields["to"].choices = [(status, ROOT_CAUSE_MACHINE.label(status)) for status in allowed]
    return form


def _recommendation_transition_form(rec: Recommendation, data=None) -> RecommendationTransitionForm:
    form = RecommendationTransitionForm(data, initial={"version": rec.version}, record=rec)
    form.fields["to"].choices = RECOMMENDATION_MACHINE.allowed(rec.status)
    return form


@require_POST
def root_cause_transition(request, pk: int):
    cause = _root_cause_or_404(request.user, pk, for_update=True)
    form = _root_cause_transition_form(request.user, cause, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changed = run_service(
            request,
            form,
            lambda: services.root_cause_transition(
                user=request.user,
                root_cause_id=cause.pk,
                to=data["to"],
                on=data["on"],
                evidence=data["evidence"],
                reason=data["reason"],
                approve_no_recommendation=data["approve_no_recommendation"],
                expected_version=data["version"],
                restatement_reason=data["restatement_reason"],
            ),
            success=_("Статус причины изменён."),
            field_map={"verified_on": "on", "verification_evidence": "evidence"},
        )
        if changed is not None:
            return redirect(cause)
    return render(request, "cases/root_cause_transition.html", {"cause": cause, "transition_form": form}, status=400)


@require_POST
def root_cause_link(request, pk: int):
    cause = _root_cause_or_404(request.user, pk, for_update=True)
    form = LinkCasesForm(request.POST)
    if form.is_valid():
        numbers = form.cleaned_data["numbers"]
        found = dict(
            access.visible(request.user, Case.objects.filter(registration_number__in=numbers)).values_list(
                "registration_number", "pk"
            )
        )
        missing = [n for n in numbers if n not in found]
        if missing:
            form.add_error(
                "numbers", _("Дела не найдены или недоступны: %(numbers)s") % {"numbers": ", ".join(missing)}
            )
        else:
            services.root_cause_link_cases(user=request.user, root_cause_id=cause.pk, case_ids=list(found.values()))
            messages.success(request, _("Связи с делами сохранены."))
            return redirect(cause)
    return render(request, "cases/root_cause_link.html", {"cause": cause, "link_form": form}, status=400)


# --- recommendations -------------------------------------------------------------------------------------------------


def _recommendation_or_404(user: access.Principal, pk: int, *, for_update: bool = False) -> Recommendation:
    rec = access.visible(user, Recommendation.objects.select_related("addressee", "department")).filter(pk=pk).first()
    if rec is None:
        raise Http404
    if for_update and not access.can_change(user, rec):
        raise PermissionDenied
    return rec


@require_GET
def recommendation_list(request):
    area_required(request.user, access.Area.CASES)
    queryset = access.visible(request.user, Recommendation.objects.select_related("addressee", "department"))
    filterset = RecommendationFilterSet(request.GET or None, queryset=queryset)
    page = paginate(request, filtered(filterset, queryset))
    return render(
        request,
        "cases/recommendation_list.html",
        {
            "filterset": filterset,
            "page": page,
            "today": timezone.localdate(),
            "can_create": access.can_write_area(request.user, access.Area.CASES),
        },
    )


@require_http_methods(["GET", "POST"])
def recommendation_form(request, pk: int | None = None):
    rec = _recommendation_or_404(request.user, pk, for_update=True) if pk else None
    if rec is None:
        area_required(request.user, access.Area.CASES, write=True)
    instance = rec or Recommendation()
    initial = {}
    if rec is None and request.GET.get("root_cause", "").isdigit():
        initial["root_causes"] = [int(request.GET["root_cause"])]
    form = RecommendationForm(request.POST or None, instance=instance, user=request.user, initial=initial)
    formset = MeasureFormSet(request.POST or None, instance=instance, prefix="measures")
    if request.method == "POST" and "add_measure" in request.POST:
        data = request.POST.copy()
        data["measures-TOTAL_FORMS"] = str(int(data.get("measures-TOTAL_FORMS", 0) or 0) + 1)
        form = RecommendationForm(data, instance=instance, user=request.user)
        formset = MeasureFormSet(data, instance=instance, prefix="measures")
        clear_errors(form, formset)
        return render(
            request, "cases/recommendation_form.html", {"form": form, "formset": formset, "rec": rec, "adding": True}
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        causes = [c.pk for c in form.cleaned_data["root_causes"]]
        if rec is None:
            saved = run_service(
                request,
                form,
                lambda: services.recommendation_create(
                    user=request.user,
                    values=form.service_values(),
                    root_cause_ids=causes,
                    measures=formset.measure_data(),
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Представление записано."),
            )
        else:
            saved = run_service(
                request,
                form,
                lambda: services.recommendation_update(
                    user=request.user,
                    recommendation_id=rec.pk,
                    expected_version=form.cleaned_data.get("version"),
                    values=form.service_values(),
                    root_cause_ids=causes,
                    measures=formset.measure_data(),
                    restatement_reason=form.cleaned_data["restatement_reason"],
                ),
                success=_("Изменения сохранены."),
            )
        if saved is not None:
            return redirect(saved)
    return render(request, "cases/recommendation_form.html", {"form": form, "formset": formset, "rec": rec})


@require_GET
def recommendation_detail(request, pk: int):
    rec = _recommendation_or_404(request.user, pk)
    can_edit = access.can_change(request.user, rec)
    transition_form = _recommendation_transition_form(rec)
    return render(
        request,
        "cases/recommendation_detail.html",
        {
            "rec": rec,
            "root_causes": list(access.visible(request.user, rec.root_causes.select_related("category"))),
            "measures": list(rec.measures.all()),
            "events": list(rec.events.select_related("actor")),
            "overdue": rec.is_overdue(timezone.localdate()),
            "can_edit": can_edit,
            "transition_form": transition_form if can_edit and transition_form.fields["to"].choices else None,
        },
    )


@require_POST
def recommendation_transition(request, pk: int):
    rec = _recommendation_or_404(request.user, pk, for_update=True)
    form = _recommendation_transition_form(rec, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        changed = run_service(
            request,
            form,
            lambda: services.recommendation_transition(
                user=request.user,
                recommendation_id=rec.pk,
                to=data["to"],
                on=data["on"],
                note=data["note"],
                expected_version=data["version"],
                restatement_reason=data["restatement_reason"],
            ),
            success=_("Статус представления изменён."),
            field_map={"answer_summary": "note", "verification_note": "note"},
        )
        if changed is not None:
            return redirect(rec)
    return render(request, "cases/recommendation_transition.html", {"rec": rec, "transition_form": form}, status=400)
