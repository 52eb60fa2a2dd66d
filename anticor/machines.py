"""Status machines and badge tones: one declaration per status field, beside its choices.

A :class:`Palette` gives each status of a ``TextChoices`` its label and badge tone (the ``badge--<tone>`` classes
of ``static/css/anticor.css``); a :class:`StatusMachine` adds the transition table. The services check moves with
``check``, the views offer ``allowed``, and ``templates/includes/status_badge.html`` draws every status badge from
the palette named in the template, so a status's colour is written once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from enum import StrEnum
from typing import Literal

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class TransitionError(ValidationError):
    """A status change that the machine does not allow, or that lacks what it requires."""


class Tone(StrEnum):
    """The badge colours the stylesheet defines; NEUTRAL is the plain grey-outlined badge."""

    NEUTRAL = ""
    PRIMARY = "primary"
    SUCCESS = "success"
    WARNING = "warning"
    DANGER = "danger"
    COURT = "court"
    CLOSED = "closed"


_PALETTES: dict[str, Palette] = {}


def palettes() -> Iterator[Palette]:
    """Every registered palette and machine (the apps' ``choices`` modules declare them at import)."""
    return iter(_PALETTES.values())


def palette(name: str) -> Palette:
    try:
        return _PALETTES[name]
    except KeyError:
        raise ImproperlyConfigured(f"No status palette named {name!r}.") from None


class Palette:
    """The label and badge tone of every status of one choices class; registered under ``name`` for templates."""

    def __init__(self, name: str, choices: type[models.TextChoices], tones: Mapping[str, Tone]) -> None:
        self.name = name
        self.choices = choices
        self.values: tuple[str, ...] = tuple(choices.values)
        missing = set(self.values) - set(tones)
        strangers = set(tones) - set(self.values)
        if missing or strangers:
            raise ImproperlyConfigured(f"{name}: tones missing for {sorted(missing)}, unknown {sorted(strangers)}.")
        self.tones: dict[str, Tone] = {str(status): Tone(tone) for status, tone in tones.items()}
        if name in _PALETTES:
            raise ImproperlyConfigured(f"A status palette named {name!r} is already registered.")
        _PALETTES[name] = self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    def tone(self, status: str) -> Tone:
        return self.tones.get(status, Tone.NEUTRAL)

    def label(self, status: str) -> str:
        """The status as people read it; an unknown value is shown as it is."""
        return self.choices(status).label if status in self.values else str(status)


MESSAGE_NOT_ALLOWED = _("Переход из статуса «%(from)s» в «%(to)s» не допускается.")
MESSAGE_UNKNOWN = _("Неизвестный статус.")


class StatusMachine(Palette):
    """A palette with its transition table (``from → allowed targets``; a status not in the table has no moves).

    ``check`` raises a :class:`TransitionError` at ``field``: ``unknown`` for a value that is no status (``None``:
    treated as any other refused move), ``message`` for a refused move (``%(from)s`` / ``%(to)s`` are the labels).
    ``order`` is how ``allowed`` lists the moves: as the choices are declared, or by value.
    """

    def __init__(
        self,
        name: str,
        choices: type[models.TextChoices],
        transitions: Mapping[str, Collection[str]],
        tones: Mapping[str, Tone],
        *,
        field: str = "to",
        message: str | Promise = MESSAGE_NOT_ALLOWED,
        unknown: str | Promise | None = MESSAGE_UNKNOWN,
        order: Literal["declared", "value"] = "declared",
    ) -> None:
        named = set(transitions).union(*transitions.values())
        if strangers := named - set(choices.values):
            raise ImproperlyConfigured(f"{name}: the transition table names unknown statuses {sorted(strangers)}.")
        super().__init__(name, choices, tones)
        self.transitions: dict[str, frozenset[str]] = {
            str(source): frozenset(str(to) for to in targets) for source, targets in transitions.items()
        }
        self.field = field
        self.message = message
        self.unknown = unknown
        self.order = order

    def targets(self, source: str) -> frozenset[str]:
        return self.transitions.get(source, frozenset())

    def can(self, source: str, to: str) -> bool:
        return to in self.targets(source)

    def allowed(
        self, source: str, *, only: Collection[str] | None = None, exclude: Collection[str] = ()
    ) -> tuple[tuple[str, str], ...]:
        """The moves from ``source`` as ``(value, label)`` choices, narrowed to ``only`` and without ``exclude``."""
        targets = self.targets(source)
        values = [
            value
            for value in (sorted(targets) if self.order == "value" else self.values)
            if value in targets and (only is None or value in only) and value not in exclude
        ]
        return tuple((value, self.label(value)) for value in values)

    def check(self, source: str, to: str) -> None:
        """Refuse a move the table does not allow, with the app's message at the machine's field."""
        if to not in self.values and self.unknown is not None:
            raise TransitionError({self.field: [str(self.unknown)]})
        if not self.can(source, to):
            raise TransitionError(
                {self.field: [str(self.message) % {"from": self.label(source), "to": self.label(to)}]}
            )
