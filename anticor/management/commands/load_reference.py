"""``manage.py load_reference [--update]``: the reference tables from the package's CSV fixtures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from anticor.reference import ReferenceDataError, reference_load, stats_lines


class Command(BaseCommand):
    # Lazy text, translated when shown; django-stubs and typeshed type these help texts as str.
    help = _(  # type: ignore[assignment]
        "Загружает справочники (регионы, департаменты, госорганы, статьи УК, сферы, основания прекращения, "
        "категории причин, взыскания). Существующие записи не изменяются без --update."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help=_("Привести существующие записи к значениям из файлов (правки аналитиков будут перезаписаны)."),  # type: ignore[arg-type]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = reference_load(update=options["update"])
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            for line in stats_lines(results):
                self.stdout.write(str(line))
