"""``manage.py seed_demo [--password PW]``: reference data, demo users and the demo dataset (DESIGN.md §5.1)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from anticor.demo import DemoResult, PasswordOrigin, demo_seed
from anticor.reference import ReferenceDataError, stats_lines


class Command(BaseCommand):
    # Lazy text, translated when shown; django-stubs and typeshed type these help texts as str.
    help = _(  # type: ignore[assignment]
        "Загружает справочники и создаёт демонстрационных пользователей (по одному на роль) и демонстрационные "
        "данные. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help=_(  # type: ignore[arg-type]  # lazy text: argparse formats it when shown
                "Пароль демонстрационных пользователей. Без него пароль генерируется один раз и хранится "
                "в var/demo-password."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is not None and not password.strip():
            raise CommandError(_("Пароль не может быть пустым."))
        try:
            result = demo_seed(password=password)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self._report(result, verbose=options["verbosity"] >= 2)

    def _report(self, result: DemoResult, *, verbose: bool) -> None:
        if verbose:
            for line in stats_lines(result.reference):
                self.stdout.write(str(line))
        created = result.created_users
        self.stdout.write(
            str(
                _("Демонстрационные пользователи: создано %(created)d, уже были %(existing)d.")
                % {"created": created, "existing": len(result.users) - created}
            )
        )
        header = (str(_("Логин")), str(_("Роль")), str(_("Департамент")), str(_("ФИО")))
        rows = [(u.username, str(u.role.label), u.department_code, u.display_name) for u in result.users]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        if result.password_origin == PasswordOrigin.GENERATED:
            note = _("сгенерирован и сохранён в %(path)s") % {"path": result.password_file}
        elif result.password_origin == PasswordOrigin.STORED:
            note = _("из %(path)s") % {"path": result.password_file}
        else:
            note = str(_("задан параметром --password"))
        self.stdout.write(
            str(_("Пароль для всех: %(password)s (%(note)s)") % {"password": result.password, "note": note})
        )
