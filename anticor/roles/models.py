"""The record of role membership (issue 11): every grant and revocation of a role, who proposed it, who
confirmed it, when, from which address and why.

Imported from ``anticor.models`` so the model belongs to the ``anticor`` app. Group membership (what
:func:`anticor.access.user_roles` reads) is changed only by :mod:`anticor.roles.services`, each change together with
its row here. A row is never deleted; once decided it never changes, and its proposal part never changes at all.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anticor.access import TWO_PERSON_ROLES, Area, Role
from anticor.audit import Source, audited
from anticor.bounds import CheckConstraint, UniqueConstraint, choice_check
from anticor.machines import StatusMachine, Tone


class RoleChangeAction(models.TextChoices):
    GRANT = "grant", _("Назначение")
    REVOKE = "revoke", _("Снятие")


class RoleChangeMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Администратором")
    TWO_PERSON = "two_person", _("Двумя лицами")
    BOOTSTRAP = "bootstrap", _("Командой первичной настройки")


class RoleChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Ожидает подтверждения")
    CONFIRMED = "confirmed", _("Применено")
    REFUSED = "refused", _("Отклонено")
    WITHDRAWN = "withdrawn", _("Отозвано")


# The one transition table of the machine: a pending two-person grant is confirmed, refused or withdrawn, once.
ROLE_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    RoleChangeStatus.PROPOSED: frozenset(
        {RoleChangeStatus.CONFIRMED, RoleChangeStatus.REFUSED, RoleChangeStatus.WITHDRAWN}
    ),
    RoleChangeStatus.CONFIRMED: frozenset(),
    RoleChangeStatus.REFUSED: frozenset(),
    RoleChangeStatus.WITHDRAWN: frozenset(),
}
ROLE_CHANGE_MACHINE = StatusMachine(
    "role_change",
    RoleChangeStatus,
    ROLE_CHANGE_TRANSITIONS,
    {
        RoleChangeStatus.PROPOSED: Tone.WARNING,
        RoleChangeStatus.CONFIRMED: Tone.NEUTRAL,
        RoleChangeStatus.REFUSED: Tone.NEUTRAL,
        RoleChangeStatus.WITHDRAWN: Tone.NEUTRAL,
    },
    field="status",
    message=_("Переход не допускается."),
    unknown=None,
)

# Columns of the proposal: fixed once the row exists.
_PROPOSAL_FIELDS = ("user", "role", "action", "mode", "reason", "proposed_by", "proposed_at", "proposed_ip", "source")


@audited()
class RoleChange(models.Model):
    """One grant or revocation of a role. Append-only: the decision of a pending grant is its only update."""

    access_area = Area.AUDIT

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.PROTECT, related_name="role_changes"
    )
    role = models.CharField(_("роль"), max_length=32, choices=Role.choices)
    action = models.CharField(_("действие"), max_length=8, choices=RoleChangeAction.choices)
    mode = models.CharField(_("порядок"), max_length=16, choices=RoleChangeMode.choices)
    status = models.CharField(_("статус"), max_length=16, choices=RoleChangeStatus.choices)
    reason = models.TextField(_("основание"), max_length=2000)
    source = models.CharField(_("источник"), max_length=16, choices=Source.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("предложил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Пусто — команда первичной настройки."),
    )
    proposed_at = models.DateTimeField(_("предложено"), default=timezone.now, db_index=True)
    proposed_ip = models.GenericIPAddressField(_("IP-адрес предложившего"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("решение принял"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("время решения"), null=True, blank=True)
    decided_ip = models.GenericIPAddressField(_("IP-адрес принявшего решение"), null=True, blank=True)
    decision_reason = models.TextField(_("комментарий к решению"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("изменение роли")
        verbose_name_plural = _("изменения ролей")
        indexes = [models.Index(fields=["user", "role"]), models.Index(fields=["status"])]
        constraints = [
            choice_check("role_change_role_valid", "role", Role),
            choice_check("role_change_action_valid", "action", RoleChangeAction),
            choice_check("role_change_mode_valid", "mode", RoleChangeMode),
            choice_check("role_change_status_valid", "status", RoleChangeStatus),
            CheckConstraint(
                condition=~models.Q(reason=""),
                name="role_change_has_reason",
                violation_error_message=_("Укажите основание."),
                violation_error_field="reason",
            ),
            # Nobody changes their own roles, and the second person is really a second (and a third) person.
            CheckConstraint(
                condition=~models.Q(proposed_by=models.F("user")),
                name="role_change_proposer_is_not_subject",
                violation_error_message=_("Свои роли изменить нельзя."),
                violation_error_field="user",
            ),
            CheckConstraint(
                condition=~models.Q(decided_by=models.F("user")),
                name="role_change_decider_is_not_subject",
                violation_error_message=_("Свои роли изменить нельзя."),
                violation_error_field="user",
            ),
            CheckConstraint(
                condition=models.Q(status=RoleChangeStatus.WITHDRAWN) | ~models.Q(decided_by=models.F("proposed_by")),
                name="role_change_confirmer_is_not_proposer",
                violation_error_message=_("Решение принимает другой сотрудник собственной безопасности."),
                violation_error_field="decided_by",
            ),
            # Only the bootstrap command acts without a person; the two-person grant of a sensitive role is the
            # only pending kind, and it is decided by someone with a time.
            CheckConstraint(
                condition=models.Q(mode=RoleChangeMode.BOOTSTRAP, proposed_by__isnull=True)
                | (~models.Q(mode=RoleChangeMode.BOOTSTRAP) & models.Q(proposed_by__isnull=False)),
                name="role_change_bootstrap_has_no_proposer",
                violation_error_message=_("Первичная настройка выполняется только командой, без автора."),
                violation_error_field="proposed_by",
            ),
            CheckConstraint(
                condition=models.Q(mode=RoleChangeMode.TWO_PERSON)
                | models.Q(status=RoleChangeStatus.CONFIRMED, decided_by__isnull=True),
                name="role_change_single_step_applied",
                violation_error_message=_("Изменение без второго лица применяется сразу."),
                violation_error_field="status",
            ),
            CheckConstraint(
                condition=~models.Q(mode=RoleChangeMode.TWO_PERSON)
                | models.Q(role__in=sorted(TWO_PERSON_ROLES), action=RoleChangeAction.GRANT),
                name="role_change_two_person_roles",
                violation_error_message=_(
                    "Двумя лицами назначаются только роли собственной безопасности и администратора."
                ),
                violation_error_field="role",
            ),
            CheckConstraint(
                condition=~models.Q(mode=RoleChangeMode.IMMEDIATE, action=RoleChangeAction.GRANT)
                | ~models.Q(role__in=sorted(TWO_PERSON_ROLES)),
                name="role_change_sensitive_grant_needs_two",
                violation_error_message=_("Эту роль назначают двумя лицами."),
                violation_error_field="role",
            ),
            CheckConstraint(
                condition=~models.Q(mode=RoleChangeMode.TWO_PERSON)
                | models.Q(status=RoleChangeStatus.PROPOSED, decided_by__isnull=True, decided_at__isnull=True)
                | models.Q(
                    status__in=[RoleChangeStatus.CONFIRMED, RoleChangeStatus.REFUSED, RoleChangeStatus.WITHDRAWN],
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="role_change_decision_complete",
                violation_error_message=_("Решение по заявке записано не полностью."),
                violation_error_field="status",
            ),
            # One pending proposal per person and role.
            UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(status=RoleChangeStatus.PROPOSED),
                name="role_change_one_pending",
                violation_error_message=_("По этой роли пользователя уже есть заявка, ожидающая решения."),
                violation_error_field="role",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="role_change_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="role_change_decided_is_final",
                operation=pgtrigger.Update,
                condition=~pgtrigger.Q(old__status=RoleChangeStatus.PROPOSED.value),
            ),
            pgtrigger.Protect(
                name="role_change_proposal_is_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(*_PROPOSAL_FIELDS),
            ),
            pgtrigger.FSM(
                name="role_change_transitions",
                field="status",
                transitions=sorted(
                    (str(old), str(new)) for old, targets in ROLE_CHANGE_TRANSITIONS.items() for new in targets
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("%(action)s роли «%(role)s»: %(user)s") % {
            "action": self.get_action_display(),
            "role": self.get_role_display(),
            "user": self.user.display_name if self.user_id else "—",
        }

    @property
    def is_pending(self) -> bool:
        return self.status == RoleChangeStatus.PROPOSED
