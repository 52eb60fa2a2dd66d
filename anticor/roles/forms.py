"""Forms of the role pages: shape only; the role services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anticor.access import Role
from anticor.roles.models import RoleChangeAction
from anticor.roles.selectors import role_change_subjects


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.username} — {obj.display_name}" if obj.display_name != obj.username else obj.username


class RoleChangeForm(forms.Form):
    user = UserChoiceField(label=_("Пользователь"), queryset=role_change_subjects(), to_field_name="username")
    role = forms.ChoiceField(label=_("Роль"), choices=Role.choices)
    action = forms.ChoiceField(label=_("Действие"), choices=RoleChangeAction.choices)
    reason = forms.CharField(
        label=_("Основание"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Приказ или распоряжение. Назначение ролей «Служба собственной безопасности» и «Администратор» "
            "вступает в силу после подтверждения другим сотрудником собственной безопасности."
        ),
    )


class RoleDecisionForm(forms.Form):
    CONFIRM = "confirm"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"

    decision = forms.ChoiceField(
        label=_("Решение"),
        choices=[(CONFIRM, _("Подтвердить")), (REFUSE, _("Отклонить")), (WITHDRAW, _("Отозвать"))],
    )
    reason = forms.CharField(label=_("Комментарий"), max_length=2000, required=False)
