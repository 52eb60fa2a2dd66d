"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group

from anticor.models import Article, Department, StateBody, User
from cases.models import Sector

TEST_PASSWORD = "Corr3ct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=("investigator",)`` adds role groups, ``department_code="75"`` picks the department."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        department_code = "75"

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    password = factory.django.Password(TEST_PASSWORD)
    department = factory.LazyAttribute(
        lambda o: Department.objects.get(code=o.department_code) if o.department_code else None
    )

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            group, _created = Group.objects.get_or_create(name=role)
            self.groups.add(group)


class CaseFactory(factory.django.DjangoModelFactory):
    """A registered case of department 75 (Almaty) about the city akimat, article 366, sector land."""

    class Meta:
        model = "cases.Case"
        skip_postgeneration_save = True

    class Params:
        department_code = "75"

    registration_number = factory.Sequence(lambda n: f"{750000000000000 + n:015d}")
    registered_on = factory.LazyFunction(lambda: datetime.date(2026, 3, 2))
    department = factory.LazyAttribute(lambda o: Department.objects.get(code=o.department_code))
    state_body = factory.LazyAttribute(lambda o: StateBody.objects.filter(region__code="75").first())
    sector = factory.LazyAttribute(lambda o: Sector.objects.get(code="land"))
    summary = "Получение взятки за выделение земельного участка"

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        codes = extracted or ["366"]
        self.articles.set(Article.objects.filter(code__in=codes))
