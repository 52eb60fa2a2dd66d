from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Личный состав и добропорядочность")

    def ready(self) -> None:
        from integrity import reference

        reference.register()
        from anticor.demo import DEMO_DATA_STEPS
        from integrity.demo import demo_integrity

        if demo_integrity not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(demo_integrity)
