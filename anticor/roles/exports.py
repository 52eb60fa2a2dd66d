"""The role-change log as CSV (Excel in the Russian locale, like the case export); logged as an export."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anticor.exports import CSV_CONTENT_TYPE, neutralize
from anticor.models import AccessAction, RoleChange
from anticor.services import access_log_record

if TYPE_CHECKING:
    from anticor.access import Principal
    from anticor.models import User

CHUNK_SIZE = 2000


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def _who(user: User | None) -> str:
    return f"{user.username} ({user.display_name})" if user is not None else ""


def role_changes_csv(*, user: Principal, queryset: QuerySet[RoleChange], request: Any = None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the rows of ``queryset`` (already scoped), in its order."""
    headers = [
        _("Предложено"),
        _("Пользователь"),
        _("Роль"),
        _("Действие"),
        _("Статус"),
        _("Порядок"),
        _("Основание"),
        _("Предложил"),
        _("IP-адрес предложившего"),
        _("Решение принял"),
        _("Время решения"),
        _("IP-адрес принявшего решение"),
        _("Комментарий к решению"),
    ]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for change in queryset.iterator(chunk_size=CHUNK_SIZE):
        cells = [
            _when(change.proposed_at),
            _who(change.user),
            str(change.get_role_display()),
            str(change.get_action_display()),
            str(change.get_status_display()),
            str(change.get_mode_display()),
            change.reason,
            _who(change.proposed_by) or _("команда первичной настройки"),
            change.proposed_ip or "",
            _who(change.decided_by),
            _when(change.decided_at),
            change.decided_ip or "",
            change.decision_reason,
        ]
        writer.writerow([neutralize(str(cell)) for cell in cells])
    access_log_record(user=user, action=AccessAction.EXPORT, model=RoleChange, request=request)
    return buffer.getvalue().encode("utf-8"), CSV_CONTENT_TYPE, f"role-changes-{timezone.localtime():%Y-%m-%d-%H%M}.csv"
