from django import forms
from django.contrib import admin

from anticor.admin import ArchiveOnlyAdmin
from projects.models import Direction
from projects.services import direction_validate


class DirectionForm(forms.ModelForm):
    class Meta:
        model = Direction
        fields = ["code", "name_ru", "name_kk", "is_mandatory", "is_example", "order", "is_active"]

    def clean(self):
        cleaned = super().clean()
        candidate = Direction(
            pk=self.instance.pk, is_active=cleaned.get("is_active"), is_mandatory=cleaned.get("is_mandatory")
        )
        direction_validate(candidate)
        return cleaned


@admin.register(Direction)
class DirectionAdmin(ArchiveOnlyAdmin):
    form = DirectionForm
    list_display = ("order", "code", "name_ru", "is_mandatory", "is_example", "is_active", "history_link")
    list_display_links = ("code", "name_ru")
    list_filter = ("is_active", "is_mandatory", "is_example")
