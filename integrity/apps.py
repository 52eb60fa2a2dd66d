from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Личный состав и добропорядочность")

    def ready(self) -> None:
        from anticor.demo import register_demo
        from anticor.synthetic import register_synthetic
        from integrity import reference
        from integrity.demo import demo_integrity
        from integrity.synthetic import SYNTHETIC_STAFF

        # The platform imports no app: each hands it its reference tables, demo data and synthetic-data SQL.
        reference.register()
        register_demo(demo_integrity)
        register_synthetic(SYNTHETIC_STAFF)
