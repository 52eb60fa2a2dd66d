"""Shared fixtures: users with roles, and the reference data every test database starts with."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference data (regions, departments, articles...) as production does."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture
def make_user(db):
    """``make_user("investigator", department="75")`` - a user with that role in that department."""

    def build(*roles: str, department: str | None = "75", **kwargs):
        return UserFactory(roles=roles, department_code=department, **kwargs)

    return build
