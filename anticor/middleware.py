"""Request middleware: audit context, Content-Security-Policy and the request body limit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pghistory.middleware import HistoryMiddleware

from anticor.audit import Source, client_ip


class AuditContextMiddleware(HistoryMiddleware):
    """Attach user, source, address and URL to every change made while handling a request."""

    def get_context(self, request):
        context = super().get_context(request)
        context["source"] = Source.API.value if request.path.startswith("/api/") else Source.WEB.value
        context["ip"] = client_ip(request)
        context["method"] = request.method
        return context


class ContentSecurityPolicyMiddleware:
    """Only our own origin may supply scripts, styles, fonts and frames (no CDN, no inline code)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class DefaultLanguageLocaleMiddleware(LocaleMiddleware):
    """Russian unless the user chose otherwise: the language cookie decides, the browser's Accept-Language does not.

    Staff work on machines with English or Kazakh browser settings; the agency's working language is Russian.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            # Machines say what they want: the API follows Accept-Language (Russian when it names nothing we have).
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateCacheControlMiddleware:
    """Pages, exports and API answers are never stored by browsers or proxies: ``Cache-Control: no-store``.

    Responses with an ETag (API detail resources, anticor.api.conditional) get ``private, no-cache`` instead: the
    client may keep its copy but must revalidate it with If-None-Match each time (the 304 flow), and no shared
    cache keeps it. A Cache-Control a view set itself (the login page's never_cache) is kept. Static files are
    served by WhiteNoise further out and keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-cache" if response.has_header("ETag") else "no-store"
        return response


class RequestBodyLimitMiddleware:
    """A body over the limit is refused from its ``Content-Length``, before a byte of it is read or spooled.

    Django's own limits come too late: DATA_UPLOAD_MAX_MEMORY_SIZE is checked while reading (an HTML 400, even under
    /api/), and file parts of a multipart body do not count toward it at all, so a 200 MB upload was received in full
    before the form refused it. The limit is API_MAX_BODY_BYTES under /api/ (a JSON 413 in the API's error format)
    and WEB_MAX_BODY_BYTES elsewhere (a translated HTML 413; it holds the case import's 5 MB file).

    A body without ``Content-Length`` (``Transfer-Encoding: chunked``) is bounded already: Django reads
    ``CONTENT_LENGTH`` bytes of ``wsgi.input``, none when it is absent. Such a body would be silently lost, so the
    request is refused with 411 instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        limit = settings.API_MAX_BODY_BYTES if api else settings.WEB_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads nothing of a body whose length it cannot parse
        if length > limit:
            detail = _("Запрос больше допустимого размера (%(max)s): он не принят.") % {"max": filesizeformat(limit)}
            return self._refuse(api, 413, "too_large", _("Слишком большой запрос"), detail)
        if not length and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            detail = _("Укажите размер тела запроса в заголовке Content-Length: тело без него не принимается.")
            return self._refuse(api, 411, "length_required", _("Не указан размер запроса"), detail)
        return self.get_response(request)

    @staticmethod
    def _refuse(api: bool, status: int, code: str, title: str, detail: str) -> HttpResponse:
        if api:
            from anticor.api.errors import error_body

            return JsonResponse(error_body(status, code, str(detail)), status=status)
        context = {"status": status, "title": title, "detail": detail}
        return HttpResponse(render_to_string("request_refused.html", context), status=status)
