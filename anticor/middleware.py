"""Request middleware: audit context and Content-Security-Policy."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
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
