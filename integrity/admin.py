from django.contrib import admin

from anticor.admin import ReferenceAdmin
from integrity.models import Sanction


@admin.register(Sanction)
class SanctionAdmin(ReferenceAdmin):
    list_display = ("code", "name_ru", "severity", "is_dismissal", "is_active", "history_link")
