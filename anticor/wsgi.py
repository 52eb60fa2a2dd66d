"""WSGI entry point (gunicorn anticor.wsgi)."""

import os

from anticor.entrypoint import guarded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anticor.settings")


def _load():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


application = guarded(_load)
