from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Уголовные дела")

    def ready(self) -> None:
        from anticor.demo import register_demo
        from anticor.synthetic import register_synthetic
        from cases import reference
        from cases.demo import demo_cases
        from cases.synthetic import SYNTHETIC_CASES

        # The platform imports no app: each hands it its reference tables, demo data and synthetic-data SQL.
        reference.register()
        register_demo(demo_cases)
        register_synthetic(SYNTHETIC_CASES)
