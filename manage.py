#!/usr/bin/env python
"""Django's command-line utility for Anticor."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")
    from anticor.entrypoint import guarded

    def run() -> None:
        import django
        from django.core.management import execute_from_command_line

        django.setup()
        from anticor.audit import command_context

        with command_context(sys.argv):
            execute_from_command_line(sys.argv)

    guarded(run)


if __name__ == "__main__":
    main()
