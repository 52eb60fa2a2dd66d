from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Проекты")

    def ready(self) -> None:
        from projects import reference

        reference.register()
        from anticor.demo import DEMO_DATA_STEPS
        from projects.demo import demo_projects

        if demo_projects not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(demo_projects)
