from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Проекты")

    def ready(self) -> None:
        from anticor.demo import register_demo
        from projects import reference
        from projects.demo import demo_projects

        # The platform imports no app: each hands it its reference tables and demo data.
        reference.register()
        register_demo(demo_projects)
