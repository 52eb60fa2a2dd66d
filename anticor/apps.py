from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.apps import apps

    from anticor.access import sync_roles

    # Permissions of every app exist by the time the last app has migrated.
    if sender.label == list(apps.get_app_configs())[-1].label:
        sync_roles()


def _sync_indicators(sender, **kwargs):
    from django.apps import apps

    from anticor.indicators.services import indicator_catalogue_sync

    if sender.label == list(apps.get_app_configs())[-1].label:
        indicator_catalogue_sync(using=kwargs.get("using", "default"))


class AnticorConfig(AppConfig):
    name = "anticor"
    verbose_name = _("Организация и доступ")

    def ready(self) -> None:
        import anticor.api.schema
        import anticor.celery
        import anticor.indicators.tasks  # noqa: F401 - registered in every process: the service sends it by name
        from anticor.indicators.registry import autodiscover

        # Each app declares its indicators in <app>/indicators.py.
        autodiscover()
        post_migrate.connect(_sync_indicators, dispatch_uid="anticor.sync_indicators")

        # Groups follow the role table after every migrate.
        post_migrate.connect(_sync_roles, dispatch_uid="anticor.sync_roles")
