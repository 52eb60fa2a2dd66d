"""The agency's own staff. This module starts with the reference data discipline records rely on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anticor.access import Area
from anticor.audit import audited
from anticor.models import CodedReference


@audited()
class Sanction(CodedReference):
    """A disciplinary sanction for law-enforcement staff; severity orders them (dismissal is the heaviest)."""

    access_area = Area.REFERENCE

    severity = models.PositiveSmallIntegerField(_("тяжесть"))
    is_dismissal = models.BooleanField(_("увольнение"), default=False)

    class Meta(CodedReference.Meta):
        ordering = ["severity", "code"]
        verbose_name = _("дисциплинарное взыскание")
        verbose_name_plural = _("дисциплинарные взыскания")
