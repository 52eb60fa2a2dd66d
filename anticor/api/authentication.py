"""Token authentication for API clients of other agencies: ``Authorization: Token <token>``."""

from __future__ import annotations

import pghistory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from anticor.access import ApiPrincipal
from anticor.api.clients import address_allowed, api_client_touch, client_for_token
from anticor.audit import client_ip


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        try:
            header = get_authorization_header(request).split()
        except UnicodeError:
            # Servers hand headers over as Latin-1; anything else (e.g. a test client or a proxy) is not a token.
            raise exceptions.AuthenticationFailed(_("Недействительный токен.")) from None
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Заголовок Authorization: ожидается «Token <токен>»."))
        try:
            token = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Недействительный токен.")) from None
        client = client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Недействительный токен."))
        if not client.is_active:
            raise exceptions.AuthenticationFailed(_("Токен отозван."))
        if client.expires_on is not None and client.expires_on < timezone.localdate():
            raise exceptions.AuthenticationFailed(_("Срок действия токена истёк."))
        if not address_allowed(client, client_ip(request._request)):
            raise exceptions.PermissionDenied(_("С этого адреса доступ по данному токену запрещён."))
        api_client_touch(client)
        # Changes made in this request are attributed to the client in the audit trail.
        pghistory.context(api_client=client.name, api_client_id=client.pk)
        return ApiPrincipal(client), client

    def authenticate_header(self, request):
        return self.keyword
