"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from anticor.models import Department, User

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
