"""``manage.py bootstrap_role USERNAME --role internal_security|administrator --reason "…"``

The first holder of a two-person role (issue 11), for a new installation where nobody could confirm a grant yet.
Refused once an active user holds the role: from then on an administrator proposes and another internal-security
officer confirms, in the web interface. The grant is a role-change row in ``bootstrap`` mode, and the audit trail
names the command, the OS user and ``ANTICOR_ACTOR`` (set it to the name of the person running the command).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anticor.access import TWO_PERSON_ROLES
from anticor.roles.services import role_bootstrap


class Command(BaseCommand):
    # Lazy text, translated when shown; django-stubs and typeshed type these help texts as str.
    help = gettext_lazy(  # type: ignore[assignment]
        "Назначает первого сотрудника собственной безопасности или первого администратора без второго лица. "
        "Отказывает, если роль уже есть у действующего пользователя."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(str(role) for role in TWO_PERSON_ROLES))
        parser.add_argument("--reason", required=True, help=gettext_lazy("Основание (приказ, распоряжение)."))  # type: ignore[arg-type]

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            change = role_bootstrap(username=options["username"], role=options["role"], reason=options["reason"])
        except ValidationError as error:
            raise CommandError("; ".join(" ".join(messages) for messages in error.message_dict.values())) from None
        self.stdout.write(
            _("Роль «%(role)s» назначена пользователю %(user)s (запись № %(pk)s).")
            % {"role": change.get_role_display(), "user": change.user.username, "pk": change.pk}
        )
