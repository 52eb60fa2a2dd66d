"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime

import factory

from anticor.models import Article, Department, StateBody, User
from anticor.roles.services import roles_seed
from cases.models import Sector
from integrity.models import Sanction

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
        # Through the recorded bootstrap path: every membership has its role-change row, as in production.
        if extracted:
            roles_seed(user=self, roles=extracted, reason="Тестовые данные (фабрика)", exact=False)


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


def _valid_iin(n: int) -> str:
    """A valid IIN for a man born on 1 January 1985 + n days (serial from n), check digit computed."""
    from anticor.identifiers import check_digit

    born = datetime.date(1985, 1, 1) + datetime.timedelta(days=n % 9000)
    for serial in range(n % 9000, n % 9000 + 50):
        first = f"{born:%y%m%d}3{serial % 10000:04d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("no valid IIN")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An active employee of department 75 (Almaty), hired in 2015."""

    class Meta:
        model = "integrity.Employee"

    class Params:
        department_code = "75"

    personnel_number = factory.Sequence(lambda n: f"T{n:05d}")
    last_name = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    iin = factory.Sequence(_valid_iin)
    department = factory.LazyAttribute(lambda o: Department.objects.get(code=o.department_code))
    position = "Старший следователь"
    special_rank = "капитан"
    hired_on = datetime.date(2015, 9, 1)


class DisciplinaryRecordFactory(factory.django.DjangoModelFactory):
    """A reprimand imposed on 2026-03-10 for an offence of 2026-02-20 discovered on 2026-03-01."""

    class Meta:
        model = "integrity.DisciplinaryRecord"

    employee = factory.SubFactory(EmployeeFactory)
    offence = "Нарушение служебной дисциплины"
    committed_on = datetime.date(2026, 2, 20)
    discovered_on = datetime.date(2026, 3, 1)
    sanction = factory.LazyFunction(lambda: Sanction.objects.get(code="reprimand"))
    order_number = factory.Sequence(lambda n: f"{n}-лс")
    imposed_on = datetime.date(2026, 3, 10)
    expires_on = datetime.date(2027, 3, 10)


class IntegrityCheckFactory(factory.django.DjangoModelFactory):
    """A random draft check of an Almaty employee in June 2026 with every safeguard confirmed."""

    class Meta:
        model = "integrity.IntegrityCheck"

    employee = factory.SubFactory(EmployeeFactory)
    trigger = "random"
    scenario = "Предложение вознаграждения за ускорение рассмотрения обращения"
    tester = factory.SubFactory(UserFactory, roles=("internal_security",), department_code="00")
    planned_from = datetime.date(2026, 6, 1)
    planned_to = datetime.date(2026, 6, 30)
    safeguard_realistic = True
    safeguard_no_excess_inducement = True
    safeguard_no_provocation = True
