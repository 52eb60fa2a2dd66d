from django.contrib import admin

from anticor.admin import ReferenceAdmin
from cases.models import RootCauseCategory, Sector, TerminationGround

admin.site.register(Sector, ReferenceAdmin)
admin.site.register(RootCauseCategory, ReferenceAdmin)


@admin.register(TerminationGround)
class TerminationGroundAdmin(ReferenceAdmin):
    list_display = ("code", "name_ru", "rehabilitating", "is_active", "history_link")
    list_filter = ("rehabilitating", "is_active")
