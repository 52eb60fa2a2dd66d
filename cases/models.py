"""Corruption cases. This module starts with the reference data the cases rely on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.models import CodedReference


@audited()
class Sector(CodedReference):
    """A sector of public life where corruption cases arise (land, procurement, health...)."""

    access_area = Area.REFERENCE

    class Meta(CodedReference.Meta):
        verbose_name = _("сфера")
        verbose_name_plural = _("сферы")


@audited()
class TerminationGround(CodedReference):
    """A ground for terminating a criminal case; a rehabilitating one means the person should not have been prosecuted."""

    access_area = Area.REFERENCE

    rehabilitating = models.BooleanField(_("реабилитирующее"), default=False)

    class Meta(CodedReference.Meta):
        verbose_name = _("основание прекращения")
        verbose_name_plural = _("основания прекращения")


@audited()
class RootCauseCategory(CodedReference):
    """A category of the taxonomy of causes and conditions of corruption; maintained by analysts."""

    access_area = Area.REFERENCE

    description = models.TextField(_("описание"), blank=True)

    class Meta(CodedReference.Meta):
        verbose_name = _("категория причин и условий")
        verbose_name_plural = _("категории причин и условий")
