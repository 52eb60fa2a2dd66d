"""``manage.py create_api_client NAME --scopes s1,s2 [--departments 75,71] [--expires YYYY-MM-DD]``

Prints the token as the last line of standard output; it is shown once and stored hashed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anticor.access import ApiScope
from anticor.api.clients import api_client_create


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Command(BaseCommand):
    help = "Create an API client of another agency and print its token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(ApiScope.values)}")
        parser.add_argument("--departments", default="", help="department codes, e.g. 75,71 (default: all)")
        parser.add_argument("--expires", default=None, help="last day the token works, YYYY-MM-DD")
        parser.add_argument("--allow", default="", help="allowed IP addresses or networks, comma-separated")
        parser.add_argument("--description", default="")

    def handle(self, *args, **options):
        expires = None
        if options["expires"]:
            try:
                expires = dt.date.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError("--expires: expected a date YYYY-MM-DD") from None
        try:
            client, token = api_client_create(
                name=options["name"],
                scopes=_csv(options["scopes"]),
                department_codes=_csv(options["departments"]),
                expires_on=expires,
                allowed_networks=_csv(options["allow"]),
                description=options["description"],
            )
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(problems) from None
        departments = ", ".join(client.departments.values_list("code", flat=True)) or "all"
        self.stdout.write(f"API client «{client.name}» (id {client.pk}) scopes: {', '.join(client.scopes)}")
        self.stdout.write(f"departments: {departments}; expires: {client.expires_on or 'never'}")
        self.stdout.write("The token is shown once; store it now:")
        self.stdout.write(token)
