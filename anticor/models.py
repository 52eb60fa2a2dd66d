"""The shared platform: organisation reference data, users, and the access log."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from anticor.access import ApiScope, Area
from anticor.audit import Source, audited
from anticor.bounds import CheckConstraint, UniqueConstraint, choice_check
from anticor.identifiers import validate_bin

two_digit_code = RegexValidator(r"^\d{2}$", _("Код должен состоять из двух цифр."))


class LocalizedNameMixin(models.Model):
    """Reference rows carry a Russian and a Kazakh name; ``name`` picks the one of the active language."""

    name_ru = models.CharField(_("наименование (рус.)"), max_length=255)
    name_kk = models.CharField(_("наименование (каз.)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if translation.get_language() == "kk" and self.name_kk:
            return self.name_kk
        return self.name_ru


class Versioned(models.Model):
    """Optimistic locking (:mod:`anticor.versioning`): every service write checks the version the user started
    from (``check_version``) and bumps it (``save_new_version``); a write based on an older one is refused."""

    version = models.PositiveIntegerField(_("версия"), default=1)

    class Meta:
        abstract = True


class VersionedModel(Versioned):
    """A versioned record with the times it was entered and last changed."""

    created_at = models.DateTimeField(_("внесено в систему"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class StatusEvent(models.Model):
    """Who moved a record from which status to which, when and why. Append-only: a concrete event adds its record
    and a ``pgtrigger.Protect`` on update and delete; being append-only it is its own audit record."""

    at = models.DateTimeField(_("время"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    client_label = models.CharField(_("API-клиент"), max_length=200, blank=True)
    from_status = models.CharField(_("из статуса"), max_length=16, blank=True)
    to_status = models.CharField(_("в статус"), max_length=16)
    reason = models.TextField(_("основание / комментарий"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class CodedReference(LocalizedNameMixin):
    """A reference row with a stable code used in the API and in imports; retired rows are deactivated."""

    code = models.CharField(
        _("код"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Код: латинские строчные буквы, цифры и «_»."))],
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]


class RegionKind(models.TextChoices):
    REGION = "region", _("Область")
    CITY = "city", _("Город республиканского значения")


@audited()
class Region(LocalizedNameMixin):
    access_area = Area.REFERENCE

    code = models.CharField(_("код"), max_length=2, unique=True, validators=[two_digit_code])
    kind = models.CharField(_("вид"), max_length=16, choices=RegionKind.choices)
    former_names = models.CharField(_("прежние наименования"), max_length=255, blank=True)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        constraints = [
            CheckConstraint(
                condition=models.Q(code__regex=r"^\d{2}$"),
                name="region_code_two_digits",
                violation_error_message=_("Код — две цифры."),
                violation_error_field="code",
            ),
            choice_check("region_kind_valid", "kind", RegionKind),
        ]


@audited()
class Department(LocalizedNameMixin):
    """A unit of the agency: the central office (code 00) or a territorial department (code = region code)."""

    access_area = Area.REFERENCE
    CENTRAL_OFFICE_CODE = "00"

    code = models.CharField(_("код"), max_length=2, unique=True, validators=[two_digit_code])
    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.PROTECT, null=True, blank=True, related_name="departments"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("вышестоящее подразделение"), on_delete=models.PROTECT, null=True, blank=True
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("департамент")
        verbose_name_plural = _("департаменты")
        constraints = [
            CheckConstraint(
                condition=models.Q(code__regex=r"^\d{2}$"),
                name="department_code_two_digits",
                violation_error_message=_("Код — две цифры."),
                violation_error_field="code",
            ),
        ]

    @property
    def is_central_office(self) -> bool:
        return self.code == self.CENTRAL_OFFICE_CODE


class StateBodyKind(models.TextChoices):
    CENTRAL = "central", _("Центральный государственный орган")
    LOCAL_EXECUTIVE = "local_executive", _("Местный исполнительный орган")
    QUASI_PUBLIC = "quasi_public", _("Субъект квазигосударственного сектора")
    OTHER = "other", _("Иная организация")


@audited()
class StateBody(LocalizedNameMixin):
    """A government body or quasi-public organisation where corruption happens and recommendations go."""

    access_area = Area.REFERENCE

    kind = models.CharField(_("вид"), max_length=32, choices=StateBodyKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.PROTECT, null=True, blank=True, related_name="state_bodies"
    )
    bin = models.CharField(_("БИН"), max_length=12, null=True, blank=True, unique=True, validators=[validate_bin])
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("государственный орган")
        verbose_name_plural = _("государственные органы")
        constraints = [
            UniqueConstraint(
                fields=["name_ru"],
                name="state_body_name_unique",
                violation_error_code="unique",
                violation_error_message=_("Госорган с таким наименованием уже есть."),
                violation_error_field="name_ru",
            ),
            choice_check("state_body_kind_valid", "kind", StateBodyKind),
            CheckConstraint(
                condition=models.Q(bin__isnull=True) | models.Q(bin__regex=r"^\d{12}$"),
                name="state_body_bin_digits",
                violation_error_message=_("БИН должен состоять ровно из 12 цифр."),
                violation_error_field="bin",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"])]


@audited()
class Article(LocalizedNameMixin):
    """An article of the Criminal Code that contains corruption crimes; maintained by analysts."""

    access_area = Area.REFERENCE

    code = models.CharField(
        _("номер статьи"),
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^\d{1,3}(-\d{1,2})?$", _("Номер статьи: цифры, например 366 или 189-1."))],
    )
    note = models.TextField(_("примечание"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("статья УК")
        verbose_name_plural = _("статьи УК")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


@audited(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Roles are groups (see ``anticor.access.Role``); the department scopes what they see."""

    access_area = Area.USERS

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("департамент"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    position = models.CharField(_("должность"), max_length=255, blank=True)

    class Meta(AbstractUser.Meta):
        # django-stubs declares AbstractUser.Meta's names as str; Django takes lazy text there like anywhere else.
        verbose_name = _("пользователь")  # type: ignore[assignment]
        verbose_name_plural = _("пользователи")  # type: ignore[assignment]

    @property
    def display_name(self) -> str:
        parts = [self.last_name, self.first_name, self.middle_name]
        full = " ".join(part for part in parts if part)
        return full or self.username


class AccessAction(models.TextChoices):
    VIEW = "view", _("Просмотр")
    LIST = "list", _("Просмотр списка")
    EXPORT = "export", _("Выгрузка")
    DENIED = "denied", _("Отказ в доступе")  # a refused read (403/404) of a record that is logged when read


class AccessLog(models.Model):
    """Who read a sensitive record or exported data, when and from where. Append-only."""

    access_area = Area.AUDIT

    at = models.DateTimeField(_("время"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    client_label = models.CharField(_("API-клиент"), max_length=255, blank=True)
    source = models.CharField(_("источник"), max_length=16, choices=Source.choices, default=Source.WEB)
    action = models.CharField(_("действие"), max_length=16, choices=AccessAction.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("тип записи"), on_delete=models.PROTECT)
    object_id = models.CharField(_("идентификатор записи"), max_length=64, blank=True)
    object_repr = models.CharField(_("запись"), max_length=255, blank=True)
    path = models.CharField(_("адрес страницы"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("запись журнала доступа")
        verbose_name_plural = _("журнал доступа")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            choice_check("access_log_action_valid", "action", AccessAction),
        ]
        triggers = [
            pgtrigger.Protect(name="access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"


@audited(exclude=["token_hash", "last_used_at"])
class ApiClient(models.Model):
    """A system of another agency that uses the REST API with a token (stored hashed; shown once)."""

    access_area = Area.USERS

    name = models.CharField(_("наименование"), max_length=200, unique=True)
    description = models.TextField(_("описание"), blank=True)
    scopes = ArrayField(
        models.CharField(max_length=32, choices=ApiScope.choices), verbose_name=_("права (scopes)"), default=list
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("департаменты"),
        blank=True,
        related_name="api_clients",
        help_text=_("Пусто — все департаменты."),
    )
    allowed_networks = ArrayField(
        models.CharField(max_length=64),
        verbose_name=_("разрешённые адреса"),
        default=list,
        blank=True,
        help_text=_("IP-адреса или сети (CIDR), с которых принимается токен; пусто — любые."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("лимит запросов в минуту"), default=600)
    token_prefix = models.CharField(_("начало токена"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_on = models.DateField(_("действует до"), null=True, blank=True)
    is_active = models.BooleanField(_("действует"), default=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True, editable=False)
    revoke_reason = models.CharField(_("причина отзыва"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее обращение"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API-клиент")
        verbose_name_plural = _("API-клиенты")

    def __str__(self) -> str:
        return self.name


# The indicator engine's models live in their own package but belong to this app.
from anticor.indicators.models import (  # noqa: E402
    Indicator,
    IndicatorRestatement,
    IndicatorRun,
    IndicatorValue,
    LockedPeriod,
    LockedPeriodChange,
)
from anticor.roles.models import RoleChange  # noqa: E402

# Role membership rows are audited too: a change made around the role services still leaves a trace.
audited()(User.groups.through)

__all__ = [
    "AccessLog",
    "ApiClient",
    "Article",
    "Department",
    "Indicator",
    "IndicatorRestatement",
    "IndicatorRun",
    "IndicatorValue",
    "LockedPeriod",
    "LockedPeriodChange",
    "Region",
    "RoleChange",
    "StateBody",
    "User",
]
