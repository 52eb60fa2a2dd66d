from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Уголовные дела")

    def ready(self) -> None:
        from cases import reference

        reference.register()
        from anticor.demo import DEMO_DATA_STEPS
        from cases.demo import demo_cases

        if demo_cases not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(demo_cases)
