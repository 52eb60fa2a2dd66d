"""What every app's pages share: a page of a list, a bound FilterSet's rows, the area guard, and running a service
for a submitted form (its refusals shown on the form, a concurrent change explained). Views stay thin on these."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator

from anticor import access
from anticor.forms import add_service_errors
from anticor.versioning import StaleVersion


def area_required(user: access.Principal, area: str, *, write: bool = False) -> None:
    """Refuse (403) a user whose roles give no read (or, with ``write``, no write) scope in ``area``."""
    allowed = access.can_write_area if write else access.can_read_area
    if not allowed(user, area):
        raise PermissionDenied


PAGE_SIZE = 50


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """A page of ``queryset``; a malformed or out-of-range ``page`` gives the nearest valid page, never a 500.

    ``page.elided_range`` holds the page numbers to show (1 … 4 5 [6] 7 8 … 120).
    """
    page: Any = Paginator(queryset, per_page).get_page(request.GET.get("page"))  # carries elided_range too
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def filtered(filterset, queryset):
    """Rows matching a bound FilterSet; with invalid parameters, none (the form shows why) rather than all."""
    if not filterset.is_bound:
        return queryset
    return filterset.qs if filterset.is_valid() else queryset.none()


def stale_message(request, error: StaleVersion, form=None) -> None:
    """Tell what others changed; keep the user's input but base it on the current version, so the next save
    (after a look at the changes) goes through."""
    messages.error(request, error.describe())
    if form is not None:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(error.current.version)


def run_service(request, form, action, *, success: str, field_map: dict[str, str] | None = None) -> Any:
    """Call a service for a submitted form: on success show ``success`` and return the result; otherwise put
    the reason on the form (stale version, validation errors by field, a refusal) and return None."""
    try:
        result = action()
    except StaleVersion as conflict:
        stale_message(request, conflict, form)
        return None
    except ValidationError as error:
        add_service_errors(form, error, field_map)
        return None
    except access.AccessDenied as denied:
        form.add_error(None, str(denied))
        return None
    messages.success(request, success)
    return result
