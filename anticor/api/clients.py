"""API clients: creation, token rotation and revocation. Tokens are shown once and stored as SHA-256 hashes
(they are long random secrets, so a fast hash is enough and lets every request be checked with one lookup)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor.access import ApiScope
from anticor.models import ApiClient, Department

TOKEN_PREFIX = "ac_"  # noqa: S105 - marks Anticor tokens in logs and secret scanners; not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_client_validate(
    *, scopes: Sequence[str], networks: Sequence[str], expires_on: dt.date | None, check_expiry: bool = True
) -> None:
    """The rules a client must meet, shared by the service, the command and the admin form."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        errors["scopes"] = [_("Неизвестные права: %(scopes)s") % {"scopes": ", ".join(unknown)}]
    if not scopes:
        errors["scopes"] = [_("Укажите хотя бы одно право.")]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            errors.setdefault("allowed_networks", []).append(_("Не IP-адрес и не сеть: %(value)s") % {"value": network})
    if check_expiry and expires_on is not None and expires_on <= timezone.localdate():
        errors["expires_on"] = [_("Срок действия должен быть в будущем.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scopes: Sequence[str],
    department_codes: Sequence[str] = (),
    expires_on: dt.date | None = None,
    allowed_networks: Sequence[str] = (),
    description: str = "",
    rate_limit_per_minute: int | None = None,
) -> tuple[ApiClient, str]:
    """Create a client; returns it with its token, which is not stored and cannot be shown again."""
    api_client_validate(scopes=scopes, networks=allowed_networks, expires_on=expires_on)
    departments = list(Department.objects.filter(code__in=department_codes))
    missing = sorted(set(department_codes) - {d.code for d in departments})
    if missing:
        raise ValidationError(
            {"departments": [_("Неизвестные департаменты: %(codes)s") % {"codes": ", ".join(missing)}]}
        )
    token = _new_token()
    client = ApiClient(
        name=name,
        description=description,
        scopes=sorted(set(scopes)),
        allowed_networks=list(allowed_networks),
        expires_on=expires_on,
        token_prefix=token[:10],
        token_hash=hash_token(token),
    )
    if rate_limit_per_minute is not None:
        client.rate_limit_per_minute = rate_limit_per_minute
    client.full_clean()
    client.save()
    client.departments.set(departments)
    return client, token


@transaction.atomic
def api_client_rotate(*, client_id: int) -> tuple[ApiClient, str]:
    """Issue a new token; the old one stops working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    token = _new_token()
    client.token_prefix, client.token_hash = token[:10], hash_token(token)
    client.save(update_fields=["token_prefix", "token_hash"])
    return client, token


@transaction.atomic
def api_client_revoke(*, client_id: int, reason: str) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    client.is_active = False
    client.revoked_at = timezone.now()
    client.revoke_reason = reason[:255]
    client.save(update_fields=["is_active", "revoked_at", "revoke_reason"])
    return client


def address_allowed(client: ApiClient, address: str | None) -> bool:
    if not client.allowed_networks:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in client.allowed_networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue  # a malformed entry (stored behind the service's back) matches nothing; never a 500
    return False


def client_for_token(token: str) -> ApiClient | None:
    return ApiClient.objects.filter(token_hash=hash_token(token)).first()


def api_client_touch(client: Any) -> None:
    """Record use, at most once a minute (one cheap UPDATE, not a write per request)."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > dt.timedelta(minutes=1):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
