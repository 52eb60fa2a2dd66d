"""The status-machine helper of the platform (anticor.machines) and the machines the apps declare with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.template.loader import render_to_string

from anticor import machines
from anticor.machines import Palette, StatusMachine, Tone, TransitionError


class Light(models.TextChoices):
    RED = "red", "Красный"
    GREEN = "green", "Зелёный"
    AMBER = "amber", "Жёлтый"


TABLE = {
    Light.RED: frozenset({Light.GREEN}),
    Light.GREEN: frozenset({Light.RED, Light.AMBER}),
    Light.AMBER: frozenset({Light.RED}),
}
TONES = {Light.RED: Tone.DANGER, Light.GREEN: Tone.SUCCESS, Light.AMBER: Tone.NEUTRAL}


@pytest.fixture(autouse=True)
def private_registry(monkeypatch):
    """Machines made here do not join the apps' registry."""
    monkeypatch.setattr(machines, "_PALETTES", dict(machines._PALETTES))


def test_allowed_lists_the_moves_in_declared_order_with_labels():
    light = StatusMachine("light", Light, TABLE, TONES)

    assert light.allowed(Light.GREEN) == (("red", "Красный"), ("amber", "Жёлтый"))
    assert light.allowed(Light.GREEN, exclude={Light.RED}) == (("amber", "Жёлтый"),)
    assert light.allowed(Light.GREEN, only={Light.RED}) == (("red", "Красный"),)
    assert light.allowed("unknown") == ()


def test_allowed_by_value_sorts_the_moves_by_value():
    light = StatusMachine("light", Light, TABLE, TONES, order="value")

    assert light.allowed(Light.GREEN) == (("amber", "Жёлтый"), ("red", "Красный"))


def test_can_follows_the_table():
    light = StatusMachine("light", Light, TABLE, TONES)

    assert light.can(Light.RED, Light.GREEN) is True
    assert light.can(Light.RED, Light.AMBER) is False
    assert light.can(Light.RED, "blue") is False


@pytest.mark.parametrize(
    ("options", "unknown", "refused"),
    [
        ({}, {"to": ["Неизвестный статус."]}, {"to": ["Переход из статуса «Красный» в «Жёлтый» не допускается."]}),
        ({"field": "status", "message": "Нельзя.", "unknown": None}, {"status": ["Нельзя."]}, {"status": ["Нельзя."]}),
    ],
    ids=["default messages", "the app's own field and message"],
)
def test_check_refuses_an_unknown_status_and_a_move_the_table_does_not_allow(options, unknown, refused):
    light = StatusMachine("light", Light, TABLE, TONES, **options)

    light.check(Light.RED, Light.GREEN)  # allowed: no error
    with pytest.raises(TransitionError) as unknown_error:
        light.check(Light.RED, "blue")
    with pytest.raises(TransitionError) as refused_error:
        light.check(Light.RED, Light.AMBER)

    assert unknown_error.value.message_dict == unknown
    assert refused_error.value.message_dict == refused


def test_an_unknown_target_is_named_as_it_is_when_the_machine_has_no_unknown_message():
    light = StatusMachine("light", Light, TABLE, TONES, unknown=None)

    with pytest.raises(TransitionError) as refused:
        light.check(Light.RED, "blue")

    assert refused.value.message_dict == {"to": ["Переход из статуса «Красный» в «blue» не допускается."]}


def test_tone_and_label():
    light = StatusMachine("light", Light, TABLE, TONES)

    assert light.tone(Light.RED) == Tone.DANGER
    assert light.tone(Light.AMBER) == Tone.NEUTRAL
    assert light.tone("blue") == Tone.NEUTRAL
    assert light.label(Light.GREEN) == "Зелёный"
    assert light.label("blue") == "blue"


def test_a_machine_without_a_tone_for_every_status_or_with_a_stranger_in_its_table_is_refused():
    with pytest.raises(ImproperlyConfigured, match="tones missing for \\['amber'\\]"):
        StatusMachine("light", Light, TABLE, {Light.RED: Tone.DANGER, Light.GREEN: Tone.SUCCESS})
    with pytest.raises(ImproperlyConfigured, match="unknown statuses \\['blue'\\]"):
        StatusMachine("light", Light, {**TABLE, Light.AMBER: frozenset({"blue"})}, TONES)
    StatusMachine("light", Light, TABLE, TONES)
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        Palette("light", Light, TONES)


def test_the_badge_include_draws_the_tone_and_label_of_the_named_palette():
    StatusMachine("light", Light, TABLE, TONES)

    red = render_to_string("includes/status_badge.html", {"palette": "light", "status": "red"})
    amber = render_to_string("includes/status_badge.html", {"palette": "light", "status": "amber", "overdue": True})

    assert red.strip() == '<span class="badge badge--danger">Красный</span>'
    assert amber.strip() == (
        '<span class="badge">Жёлтый</span> <span class="badge badge--danger badge--overdue">просрочено</span>'
    )


def test_every_registered_machine_names_only_its_own_statuses_and_gives_each_a_tone():
    registered = {palette.name: palette for palette in machines.palettes()}

    assert set(registered) >= {
        "case",
        "root_cause",
        "recommendation",
        "project",
        "milestone",
        "discipline",
        "check",
        "role_change",
        "indicator_run",
    }
    for palette in registered.values():
        statuses = set(palette.choices.values)
        assert set(palette.tones) == statuses, palette
        if isinstance(palette, StatusMachine):
            assert set(palette.transitions) <= statuses, palette
            assert set().union(*palette.transitions.values()) <= statuses, palette
