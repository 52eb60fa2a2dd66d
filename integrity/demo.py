"""Demo dataset for the integrity app: the agency's staff, their discipline, convictions and Integrity Checks
(DESIGN.md §4.4, §5.1; issue 6, item 7).

- Employees in every active department (more in the central office 00), with valid unique IINs, personnel numbers
  ``75-0012``, positions and special ranks; a few dismissed. The demo users ``investigator`` and ``head`` (75),
  ``analyst``, ``lead``, ``security`` and ``auditor`` (00) are linked to their employee records, so that "nobody
  sees checks about themselves" can be shown: one check is about the investigator, none about ``security``.
- Discipline since 2022: mostly remarks and reprimands, some corruption-related offences, a few dismissals on
  negative grounds; active / lifted / expired / appealed / overturned consistent with the dates.
- The first half of 2022 reproduces the agency's report (:data:`H1_2022`): 2 employees convicted of corruption
  crimes, 142 disciplined, 5 of them dismissed on negative grounds — what the collegium summary shows.
- Integrity Checks in every status, each satisfying the rules the services enforce. ``security`` (central office)
  approves the checks of territorial staff, conducted by a second internal-security officer ``security2``
  (Astana, 71, one of the demo users of ``anticor.demo``); central-office checks are conducted by ``security`` and
  approved by ``security2``. Nobody from 71 is tested (its tester would be a colleague).

Deterministic (fixed seeds; the 2022 figures do not depend on today's date), bulk-inserted, and it runs once: if the
demo employees exist, it does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from anticor.dates import add_months
from anticor.identifiers import check_digit
from anticor.models import Article, Department, User
from integrity.choices import CheckOutcome, CheckStatus, CheckTrigger, DisciplineStatus, EmployeeStatus
from integrity.models import (
    Conviction,
    DisciplinaryRecord,
    DisciplinaryRecordEvent,
    Employee,
    IntegrityCheck,
    IntegrityCheckEvent,
    Sanction,
)

CENTRAL = Department.CENTRAL_OFFICE_CODE
TESTER_USERNAME = "security2"
TESTER_DEPARTMENT = "71"
START = dt.date(2022, 1, 1)  # discipline is recorded from here on
DAY = dt.timedelta(days=1)

# The first half of 2022 as the agency reported it (issue 6): the collegium summary shows exactly these.
H1_2022 = {
    "convicted": 2,
    "disciplined": 142,
    "dismissed_negative": 5,
    "checks_conducted": 3,
    "checks_failed": 1,
}
_H1_START, _H1_END = dt.date(2022, 1, 1), dt.date(2022, 6, 30)
_H1_SECOND_RECORDS = 10  # employees with two sanctions in the half-year (counted once)
_H1_OVERTURNED = 3  # sanctions overturned on appeal (not counted)

# Staff sizes: the central office is the largest; the three cities next.
STAFF_SIZES = {CENTRAL: 110, "71": 48, "75": 52, "79": 44}
STAFF_SIZE_RANGE = (28, 40)

RANK_SUFFIX = " антикоррупционной службы"

SURNAMES = [
    "Ахметов", "Сериков", "Касымов", "Нурланов", "Жумабаев", "Ибраев", "Омаров", "Байжанов", "Токтаров",
    "Смагулов", "Абдрахманов", "Есенов", "Калиев", "Мусин", "Рахимов", "Садыков", "Тулегенов", "Утегенов",
    "Шаяхметов", "Исмаилов", "Бекмухамбетов", "Оспанов", "Жаксылыков", "Кенжебаев", "Султанов", "Мамбетов",
    "Аубакиров", "Иманбаев", "Дуйсенов", "Нургалиев", "Бейсенов", "Алиев", "Ермеков", "Тлеубаев", "Сарсенов",
    "Иванов", "Петров", "Кузнецов", "Смирнов", "Попов", "Волков", "Соколов", "Морозов", "Лебедев", "Новиков",
    "Фёдоров", "Михайлов", "Белов", "Григорьев", "Захаров",
]  # fmt: skip
SURNAMES_INVARIANT = ["Ким", "Пак", "Цой", "Ли", "Шевченко", "Бондаренко", "Ткаченко"]
MALE_NAMES = [
    "Арман", "Ерлан", "Нурлан", "Данияр", "Бауыржан", "Марат", "Серик", "Ержан", "Асхат", "Берик", "Тимур",
    "Руслан", "Азамат", "Дархан", "Жандос", "Ернар", "Олжас", "Санжар", "Айдос", "Мейрам", "Кайрат", "Алмас",
    "Ринат", "Сергей", "Александр", "Дмитрий", "Андрей", "Евгений", "Игорь", "Максим",
]  # fmt: skip
FEMALE_NAMES = [
    "Айгерим", "Асель", "Гульнара", "Динара", "Жанар", "Сауле", "Айжан", "Камила", "Мадина", "Алия", "Жулдыз",
    "Индира", "Салтанат", "Елена", "Ольга", "Наталья", "Татьяна", "Анна", "Ирина",
]  # fmt: skip
PATRONYMICS = [  # (male, female)
    ("Маратович", "Маратовна"), ("Серикович", "Сериковна"), ("Нурланович", "Нурлановна"),
    ("Ерланович", "Ерлановна"), ("Бауыржанович", "Бауыржановна"), ("Кайратович", "Кайратовна"),
    ("Талгатович", "Талгатовна"), ("Болатович", "Болатовна"), ("Асхатович", "Асхатовна"),
    ("Жанатович", "Жанатовна"), ("Ержанович", "Ержановна"), ("Бахытович", "Бахытовна"),
    ("Амангельдиевич", "Амангельдиевна"), ("Муратович", "Муратовна"), ("Саматович", "Саматовна"),
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"), ("Юрьевич", "Юрьевна"),
]  # fmt: skip

# (position, ranks to choose from ("" — a civil servant without a special rank), weight)
TERRITORIAL_TOP = [
    ("Руководитель департамента", "полковник"),
    ("Заместитель руководителя департамента", "полковник"),
    ("Заместитель руководителя департамента", "подполковник"),
    ("Руководитель следственного управления", "подполковник"),
    ("Руководитель оперативного управления", "подполковник"),
    ("Руководитель управления превенции", "подполковник"),
    ("Руководитель отдела кадров", "майор"),
]
TERRITORIAL_POOL = [
    ("Старший следователь следственного управления", ["майор", "капитан"], 14),
    ("Следователь следственного управления", ["капитан", "старший лейтенант"], 10),
    ("Старший оперуполномоченный оперативного управления", ["майор", "капитан"], 14),
    ("Оперуполномоченный оперативного управления", ["старший лейтенант", "лейтенант"], 10),
    ("Заместитель руководителя следственного управления", ["подполковник", "майор"], 3),
    ("Заместитель руководителя оперативного управления", ["подполковник", "майор"], 3),
    ("Главный специалист управления превенции", ["капитан", "старший лейтенант", ""], 8),
    ("Главный специалист отдела кадров", ["капитан", ""], 3),
    ("Старший эксперт-криминалист", ["майор", "капитан"], 2),
    ("Главный специалист по документационному обеспечению", [""], 3),
]
CENTRAL_TOP = [
    ("Руководитель Следственного департамента", "генерал-майор"),
    ("Руководитель Оперативного департамента", "полковник"),
    ("Руководитель Департамента превенции", "полковник"),
    ("Руководитель Департамента кадровой работы", "полковник"),
]
CENTRAL_POOL = [
    ("Руководитель управления", ["полковник", "подполковник"], 6),
    ("Заместитель руководителя управления", ["подполковник"], 6),
    ("Главный эксперт", ["майор", "подполковник", ""], 20),
    ("Эксперт", ["капитан", "майор", ""], 14),
    ("Главный следователь по особо важным делам", ["подполковник", "майор"], 8),
    ("Старший оперуполномоченный по особо важным делам", ["майор", "подполковник"], 8),
    ("Главный эксперт Департамента превенции", ["", "майор"], 6),
    ("Главный эксперт юридического управления", ["", "майор"], 4),
]

# Demo users with an employee record: username → (special rank, hired on).
LINKED_USERS = {
    "head": ("полковник", dt.date(2004, 9, 1)),
    "investigator": ("майор", dt.date(2011, 8, 15)),
    "security": ("полковник", dt.date(2003, 3, 10)),
    "analyst": ("майор", dt.date(2014, 2, 3)),
    "lead": ("полковник", dt.date(2008, 6, 16)),
    "auditor": ("", dt.date(2016, 10, 3)),
    TESTER_USERNAME: ("майор", dt.date(2012, 4, 2)),
}
OFFENCES = [  # ordinary breaches of discipline
    "Нарушение сроков досудебного расследования по уголовному делу",
    "Ненадлежащее оформление материалов проверки по заявлению гражданина",
    "Опоздание на службу и отсутствие без уважительной причины более трёх часов",
    "Утрата служебного удостоверения",
    "Нарушение порядка работы с документами ограниченного распространения",
    "Несвоевременное рассмотрение обращения физического лица",
    "Нарушение правил ношения форменной одежды",
    "Дорожно-транспортное происшествие на служебном автомобиле по вине сотрудника",
    "Неисполнение поручения руководителя в установленный срок",
    "Нарушение требований служебной этики в общении с гражданами",
    "Неуведомление прокурора о начале досудебного расследования в установленный срок",
    "Нарушение порядка хранения вещественных доказательств",
]
CORRUPTION_OFFENCES = [  # corruption-related offences short of a crime
    "Непредставление сведений о доходах и имуществе в установленный срок",
    "Непринятие мер по урегулированию конфликта интересов",
    "Принятие подарка в связи с исполнением служебных обязанностей",
    "Использование служебного положения в личных интересах",
    "Вмешательство в деятельность другого подразделения в интересах знакомого",
]
DISMISSAL_OFFENCES = [
    "Совершение коррупционного правонарушения, несовместимого со службой",
    "Проступок, дискредитирующий правоохранительную службу",
    "Грубое нарушение служебной дисциплины: разглашение сведений досудебного расследования",
]
DEMO_DISMISSAL_NOT_NEGATIVE = "Систематическое неисполнение служебных обязанностей при действующих взысканиях"

SANCTION_WEIGHTS = {
    "remark": 35,
    "reprimand": 30,
    "severe_reprimand": 18,
    "incomplete_compliance": 10,
    "demotion_position": 4,
    "demotion_rank": 3,
}

EXPIRED_REASON = "Срок действия взыскания истёк."  # as the daily task writes it
APPEAL_REASONS = [
    "Жалоба сотрудника в дисциплинарную комиссию",
    "Иск сотрудника об отмене приказа",
]
UPHELD_REASON = "Жалоба оставлена без удовлетворения, взыскание признано обоснованным"
OVERTURNED_REASONS = [
    "Решение дисциплинарной комиссии: вина сотрудника не доказана, приказ отменён",
    "Решение суда: приказ о наложении взыскания признан незаконным",
]
LIFTED_REASON = "Досрочно снято в порядке поощрения за добросовестное исполнение служебных обязанностей"

# Convictions: (department code, article, dismissal dates (committed, discovered, imposed), verdict on, court,
# sentence, offence). The first two fall in the first half of 2022 (H1_2022["convicted"]).
CONVICTIONS = [
    (
        "79",
        "366",
        (dt.date(2021, 11, 8), dt.date(2022, 1, 12), dt.date(2022, 2, 1)),
        dt.date(2022, 5, 24),
        "Специализированный межрайонный суд по уголовным делам города Шымкента",
        "Лишение свободы сроком на 7 лет с конфискацией имущества, пожизненное лишение права занимать должности "
        "на государственной службе",
        "Получение взятки за непринятие мер по материалам проверки (уголовное дело по ст. 366 УК)",
    ),
    (
        "35",
        "368",
        (dt.date(2021, 12, 20), dt.date(2022, 2, 14), dt.date(2022, 3, 1)),
        dt.date(2022, 6, 16),
        "Специализированный межрайонный суд по уголовным делам Карагандинской области",
        "Лишение свободы сроком на 5 лет, пожизненное лишение права занимать должности на государственной службе",
        "Посредничество во взяточничестве при прекращении уголовного дела (уголовное дело по ст. 368 УК)",
    ),
    (
        "61",
        "367",
        (dt.date(2023, 1, 10), dt.date(2023, 2, 20), dt.date(2023, 3, 10)),
        dt.date(2023, 9, 27),
        "Специализированный межрайонный суд по уголовным делам Туркестанской области",
        "Штраф в размере двадцатикратной суммы взятки, пожизненное лишение права занимать должности "
        "на государственной службе",
        "Дача взятки должностному лицу за выдачу заключения (уголовное дело по ст. 367 УК)",
    ),
    (
        "47",
        "366",
        (dt.date(2024, 8, 5), dt.date(2024, 9, 16), dt.date(2024, 10, 1)),
        dt.date(2025, 3, 18),
        "Специализированный межрайонный суд по уголовным делам Мангистауской области",
        "Лишение свободы сроком на 6 лет, пожизненное лишение права занимать должности на государственной службе",
        "Получение взятки за возврат изъятого имущества (уголовное дело по ст. 366 УК)",
    ),
]

SCENARIOS = [
    "Гражданин при подаче заявления предлагает «ускорить» его рассмотрение за вознаграждение",
    "Участник проверки предлагает подарок за «положительное» заключение",
    "Знакомый просит за вознаграждение сообщить сведения из материалов досудебного расследования",
    "Родственник подозреваемого предлагает деньги за изменение меры пресечения",
    "Предприниматель предлагает оплатить отдых сотрудника за непринятие мер по жалобе",
]
GROUNDS = [
    "Поступившие сведения о возможном вымогательстве при рассмотрении обращений граждан",
    "Повторяющиеся жалобы граждан на действия сотрудника",
    "Оперативная информация о контактах сотрудника с фигурантами уголовного дела",
]
CONDUCT_NOTES = "Проверка проведена по утверждённому сценарию; ход зафиксирован аудио- и видеозаписью."
OUTCOME_SUMMARIES = {
    CheckOutcome.PASSED: "Сотрудник отказался от предложенного вознаграждения и в установленном порядке сообщил "
    "руководству о склонении к коррупционному правонарушению.",
    CheckOutcome.FAILED: "Сотрудник принял предложенное вознаграждение и не сообщил о склонении; материалы "
    "направлены для служебного расследования.",
    CheckOutcome.INCONCLUSIVE: "Ситуация не сложилась: сотрудник был отвлечён на другое поручение, вывод о его "
    "поведении сделать нельзя.",
    CheckOutcome.PROCEDURAL_FAILURE: "Проверяющий отступил от утверждённого сценария; результат не учитывается.",
}
FOLLOW_UP_OFFENCE = "Принятие незаконного вознаграждения в ходе проверки на добропорядочность"
CANCEL_REASONS = [
    "Сотрудник переведён в другое подразделение",
    "Сценарий стал известен за пределами службы собственной безопасности",
    "Сотрудник находится в длительном отпуске по болезни",
]


# --- in-memory plan -------------------------------------------------------------------------------------------------


@dataclass
class _Staff:
    employee: Employee
    linked: bool = False
    reserved: bool = False  # tested by a check: never dismissed before it


@dataclass
class _Record:
    staff: _Staff
    sanction: Sanction
    offence: str
    committed_on: dt.date
    discovered_on: dt.date
    imposed_on: dt.date
    corruption_related: bool = False
    negative_grounds: bool = False
    allow_overturn: bool = True
    force_overturn: bool = False
    path: list[tuple[str, str, dt.date, str, bool]] = field(default_factory=list)  # from, to, on, reason, by person
    order_number: str = ""
    row: DisciplinaryRecord | None = None


@dataclass
class _Check:
    status: str
    staff: _Staff | None = None
    who: str = ""  # "" (territorial staff), CENTRAL or "investigator"
    outcome: str = ""
    trigger: str = CheckTrigger.RANDOM
    conducted_on: dt.date | None = None
    approved_on: dt.date | None = None
    planned: tuple[dt.date, dt.date] | None = None
    follow_up: str = ""  # sanction code of the follow-up record of a failed check
    informed: bool = True
    safeguards: bool = True
    cancel_reason: str = ""


@dataclass
class _Built:
    check: IntegrityCheck
    events: list[tuple[str, str, User, str]]
    follow_up: _Record | None


def _female(middle_name: str, first_name: str) -> bool:
    return middle_name.endswith("вна") or (not middle_name and first_name in FEMALE_NAMES)


class _Iins:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set(Employee.objects.values_list("iin", flat=True))

    def new(self, born: dt.date, female: bool) -> str:
        century = 3 if born.year < 2000 else 5
        while True:
            first = f"{born:%y%m%d}{century + int(female)}{self.rng.randrange(0, 10000):04d}"
            digit = check_digit(first)
            if digit is not None and f"{first}{digit}" not in self.seen:
                iin = f"{first}{digit}"
                self.seen.add(iin)
                return iin


def _between(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randrange(0, max((high - low).days, 0) + 1))


def _rank(rank: str) -> str:
    return f"{rank}{RANK_SUFFIX}" if rank else ""


def _personnel_number(code: str, number: int) -> str:
    return f"{code}-{number:04d}"


def demo_integrity(users: Mapping[str, User]) -> None:
    """Create the demo staff, discipline, convictions and checks unless the demo employees exist."""
    if "security" not in users or TESTER_USERNAME not in users:
        return
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    if (
        not departments
        or Employee.objects.filter(personnel_number__in=[_personnel_number(d.code, 1) for d in departments]).exists()
    ):
        return
    _Demo(users=users, departments=departments).run()


class _Demo:
    def __init__(self, *, users: Mapping[str, User], departments: list[Department]) -> None:
        self.users = users
        self.security = users["security"]
        self.tester = users[TESTER_USERNAME]
        self.departments = departments
        self.today = timezone.localdate()
        self.sanctions = {s.code: s for s in Sanction.objects.all()}
        self.staff: list[_Staff] = []
        self.by_user: dict[str, _Staff] = {}
        self.records: list[_Record] = []
        self.checks: list[_Check] = []
        self.convictions: list[Conviction] = []

    # --- staff ------------------------------------------------------------------------------------------------------

    def _people(self, rng: random.Random, iins: _Iins) -> None:
        linked_by_department: dict[int, list[User]] = {}
        for username in LINKED_USERS:
            user = self.users.get(username)
            if user is not None and user.department_id and not Employee.objects.filter(user=user).exists():
                linked_by_department.setdefault(user.department_id, []).append(user)
        for department in self.departments:
            central = department.code == CENTRAL
            size = STAFF_SIZES.get(department.code) or rng.randint(*STAFF_SIZE_RANGE)
            top = list(CENTRAL_TOP if central else TERRITORIAL_TOP)
            pool = CENTRAL_POOL if central else TERRITORIAL_POOL
            number = 0
            for user in linked_by_department.get(department.pk, []):
                number += 1
                rank, hired_on = LINKED_USERS[user.username]
                if user.position == "Руководитель департамента" and top and top[0][0] == user.position:
                    top.pop(0)  # the demo head is the head of the department
                female = _female(user.middle_name, user.first_name)
                born = dt.date(hired_on.year - rng.randint(23, 28), rng.randint(1, 12), rng.randint(1, 28))
                employee = Employee(
                    personnel_number=_personnel_number(department.code, number),
                    last_name=user.last_name,
                    first_name=user.first_name,
                    middle_name=user.middle_name,
                    iin=iins.new(born, female),
                    department=department,
                    position=user.position or "Сотрудник",
                    special_rank=_rank(rank),
                    hired_on=hired_on,
                    user=user,
                )
                staff = _Staff(employee=employee, linked=True)
                self.staff.append(staff)
                self.by_user[user.username] = staff
            while number < size:
                number += 1
                if top:
                    position, rank = top.pop(0)
                    hired_on = _between(rng, dt.date(2002, 1, 1), dt.date(2012, 12, 31))
                else:
                    position, ranks, _weight = rng.choices(pool, weights=[w for *_rest, w in pool])[0]
                    rank = rng.choice(ranks)
                    # one in eight joined after 2022 (no discipline before they served)
                    late = rng.random() < 0.125
                    low, high = (
                        (dt.date(2022, 7, 1), dt.date(2025, 6, 30))
                        if late
                        else (dt.date(2004, 1, 1), dt.date(2021, 10, 31))
                    )
                    hired_on = min(_between(rng, low, high), self.today - 60 * DAY)
                female = rng.random() < 0.28
                age_at_hire = rng.randint(22, 32)
                born = dt.date(hired_on.year - age_at_hire, rng.randint(1, 12), rng.randint(1, 28))
                surname = rng.choice(SURNAMES + SURNAMES_INVARIANT)
                if female and surname in SURNAMES:
                    surname += "а"
                patronymic = rng.choice(PATRONYMICS)[int(female)]
                employee = Employee(
                    personnel_number=_personnel_number(department.code, number),
                    last_name=surname,
                    first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
                    middle_name=patronymic,
                    iin=iins.new(born, female),
                    department=department,
                    position=position,
                    special_rank=_rank(rank),
                    hired_on=hired_on,
                )
                self.staff.append(_Staff(employee=employee))

    def _pick(self, rng: random.Random, pool: list[_Staff], taken: set[int]) -> _Staff:
        candidates = [s for s in pool if id(s) not in taken]
        staff = rng.choice(candidates)
        taken.add(id(staff))
        return staff

    def _free(self) -> list[_Staff]:
        return [s for s in self.staff if not s.linked and not s.reserved]

    def _dismiss(self, staff: _Staff, on: dt.date) -> None:
        staff.employee.status = EmployeeStatus.DISMISSED
        staff.employee.dismissed_on = on

    def _voluntary_dismissals(self, rng: random.Random) -> None:
        """A few left the service at their own request: no sanction, their records stay."""
        pool = [s for s in self._free() if s.employee.hired_on < dt.date(2020, 1, 1)]
        for staff in rng.sample(pool, 10):
            self._dismiss(staff, min(_between(rng, dt.date(2021, 6, 1), dt.date(2025, 12, 31)), self.today - DAY))

    # --- discipline -------------------------------------------------------------------------------------------------

    def _eligible(self, staff: _Staff, start: dt.date, end: dt.date) -> bool:
        employee = staff.employee
        return (
            not staff.linked
            and employee.hired_on + 60 * DAY <= start
            and (employee.dismissed_on is None or employee.dismissed_on > end)
        )

    def _dates(self, rng: random.Random, staff: _Staff, start: dt.date, end: dt.date):
        imposed = _between(rng, start, end)
        late = rng.random() < 0.06  # a few miss the one-month deadline: the page warns about them
        discovered = imposed - dt.timedelta(days=rng.randint(33, 50) if late else rng.randint(3, 25))
        committed = discovered - dt.timedelta(days=rng.randint(60, 170) if rng.random() < 0.08 else rng.randint(0, 45))
        committed = max(committed, staff.employee.hired_on)
        discovered = max(discovered, committed)
        return committed, discovered, imposed

    def _ordinary(self, rng: random.Random, staff: _Staff, start: dt.date, end: dt.date, **kwargs) -> _Record:
        committed, discovered, imposed = self._dates(rng, staff, start, end)
        corruption = rng.random() < 0.12
        code = rng.choices(list(SANCTION_WEIGHTS), weights=list(SANCTION_WEIGHTS.values()))[0]
        if corruption and code == "remark":
            code = "severe_reprimand"
        record = _Record(
            staff=staff,
            sanction=self.sanctions[code],
            offence=rng.choice(CORRUPTION_OFFENCES if corruption else OFFENCES),
            committed_on=committed,
            discovered_on=discovered,
            imposed_on=imposed,
            corruption_related=corruption,
            **kwargs,
        )
        self.records.append(record)
        return record

    def _dismissal(
        self, staff: _Staff, dates: tuple[dt.date, dt.date, dt.date], offence: str, *, negative: bool, corruption: bool
    ) -> _Record:
        committed, discovered, imposed = dates
        record = _Record(
            staff=staff,
            sanction=self.sanctions["dismissal"],
            offence=offence,
            committed_on=committed,
            discovered_on=discovered,
            imposed_on=imposed,
            corruption_related=corruption,
            negative_grounds=negative,
            allow_overturn=False,
        )
        self.records.append(record)
        self._dismiss(staff, imposed)
        return record

    def _random_dismissal(self, rng: random.Random, start: dt.date, end: dt.date, taken: set[int]) -> _Record:
        pool = [s for s in self._free() if self._eligible(s, start, end)]
        staff = self._pick(rng, pool, taken)
        negative = rng.random() < 0.8
        corruption = negative and rng.random() < 0.6
        offence = (
            (DISMISSAL_OFFENCES[0] if corruption else rng.choice(DISMISSAL_OFFENCES[1:]))
            if negative
            else (DEMO_DISMISSAL_NOT_NEGATIVE)
        )
        return self._dismissal(
            staff, self._dates(rng, staff, start, end), offence, negative=negative, corruption=corruption
        )

    def _convictions(self) -> None:
        articles = {a.code: a for a in Article.objects.filter(code__in={c[1] for c in CONVICTIONS})}
        by_department: dict[str, list[_Staff]] = {}
        for staff in self._free():
            by_department.setdefault(staff.employee.department.code, []).append(staff)
        for code, article, dates, verdict_on, court, sentence, offence in CONVICTIONS:
            pool = [
                s
                for s in by_department.get(code, [])
                if s.employee.status == EmployeeStatus.ACTIVE and s.employee.hired_on < dt.date(2016, 1, 1)
            ]
            if not pool or article not in articles or verdict_on > self.today:
                continue
            staff = pool[len(pool) // 2]
            self._dismissal(staff, dates, offence, negative=True, corruption=True)
            self.convictions.append(
                Conviction(
                    employee=staff.employee,
                    article=articles[article],
                    verdict_on=verdict_on,
                    court=court,
                    sentence=sentence,
                )
            )

    def _first_half_2022(self, rng: random.Random) -> None:
        """Exactly the reported figures: 142 disciplined, 5 of them dismissed on negative grounds."""
        start, end = _H1_START, _H1_END
        in_period = [r for r in self.records if start <= r.imposed_on <= end]
        counted = {id(r.staff) for r in in_period}
        negative = sum(1 for r in in_period if r.negative_grounds)
        taken = set(counted)
        while negative < H1_2022["dismissed_negative"]:
            pool = [s for s in self._free() if self._eligible(s, start, end)]
            staff = self._pick(rng, pool, taken)
            corruption = rng.random() < 0.6
            offence = DISMISSAL_OFFENCES[0] if corruption else rng.choice(DISMISSAL_OFFENCES[1:])
            self._dismissal(staff, self._dates(rng, staff, start, end), offence, negative=True, corruption=corruption)
            counted.add(id(staff))
            negative += 1
        singles: list[_Staff] = []
        while len(counted) < H1_2022["disciplined"]:
            pool = [s for s in self.staff if self._eligible(s, start, end)]
            staff = self._pick(rng, pool, taken)
            self._ordinary(rng, staff, start, end, allow_overturn=False)
            counted.add(id(staff))
            singles.append(staff)
        for staff in rng.sample(singles, _H1_SECOND_RECORDS):
            self._ordinary(rng, staff, start, end, allow_overturn=False)
        for _index in range(_H1_OVERTURNED):  # overturned on appeal: not counted as disciplined
            pool = [s for s in self.staff if self._eligible(s, start, end)]
            staff = self._pick(rng, pool, taken)
            self._ordinary(rng, staff, start, end, force_overturn=True)

    def _later_periods(self, rng: random.Random) -> None:
        year, half = 2022, 2
        while True:
            start = dt.date(year, 1 if half == 1 else 7, 1)
            if start >= self.today:
                break
            full_end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
            end = min(full_end, self.today - DAY)
            share = ((end - start).days + 1) / ((full_end - start).days + 1)
            in_period = [r for r in self.records if start <= r.imposed_on <= end]
            taken = {id(r.staff) for r in in_period}
            dismissals = round(rng.randint(1, 3) * share) - sum(1 for r in in_period if r.sanction.is_dismissal)
            for _index in range(max(dismissals, 0)):
                self._random_dismissal(rng, start, end, taken)
            target = round(rng.randint(70, 110) * share)
            pool = [s for s in self.staff if self._eligible(s, start, end) and id(s) not in taken]
            chosen = rng.sample(pool, min(max(target - len(taken), 0), len(pool)))
            for staff in chosen:
                self._ordinary(rng, staff, start, end)
            for staff in rng.sample(chosen, len(chosen) // 12):
                self._ordinary(rng, staff, start, end)
            year, half = (year, 2) if half == 1 else (year + 1, 1)

    def _investigator_record(self) -> None:
        """The investigator was once remarked (the Almaty head sees it; it has expired)."""
        staff = self.by_user.get("investigator")
        imposed = dt.date(2024, 4, 16)
        if staff is None or imposed >= self.today:
            return
        self.records.append(
            _Record(
                staff=staff,
                sanction=self.sanctions["remark"],
                offence="Неуведомление прокурора о начале досудебного расследования в установленный срок",
                committed_on=dt.date(2024, 3, 4),
                discovered_on=dt.date(2024, 3, 28),
                imposed_on=imposed,
                allow_overturn=False,
            )
        )

    def _paths(self, rng: random.Random) -> None:
        """The status of each sanction and how it got there, consistent with its dates and today."""
        today = self.today
        for record in self.records:
            imposed = record.imposed_on
            if record.sanction.is_dismissal:
                if (today - imposed).days <= 45:
                    on = min(imposed + dt.timedelta(days=rng.randint(3, 10)), today)
                    record.path.append(("active", "appealed", on, APPEAL_REASONS[1], True))
                continue
            expires = add_months(imposed, 12)
            while expires == today:  # would expire today: keep "expired only when expires_on < today"
                imposed -= DAY
                expires = add_months(imposed, 12)
            record.imposed_on = imposed
            record.discovered_on = min(record.discovered_on, imposed)
            record.committed_on = min(record.committed_on, record.discovered_on)
            roll = rng.random()
            appeal_on = imposed + dt.timedelta(days=rng.randint(5, 15))
            decided_on = appeal_on + dt.timedelta(days=rng.randint(10, 40))
            lifted_on = imposed + dt.timedelta(days=rng.randint(90, 300))
            if record.force_overturn or (record.allow_overturn and roll < 0.04 and decided_on <= today):
                record.path.append(("active", "appealed", appeal_on, rng.choice(APPEAL_REASONS), True))
                record.path.append(("appealed", "overturned", decided_on, rng.choice(OVERTURNED_REASONS), True))
                continue
            if 0.04 <= roll < 0.14 and lifted_on < min(expires, today):
                record.path.append(("active", "lifted", lifted_on, LIFTED_REASON, True))
                continue
            if 0.14 <= roll < 0.19 and decided_on <= today:
                record.path.append(("active", "appealed", appeal_on, rng.choice(APPEAL_REASONS), True))
                record.path.append(("appealed", "active", decided_on, UPHELD_REASON, True))
            elif (today - imposed).days <= 45 and roll > 0.75 and appeal_on <= today:
                record.path.append(("active", "appealed", appeal_on, rng.choice(APPEAL_REASONS), True))
                continue
            if expires < today:
                record.path.append(("active", "expired", expires, EXPIRED_REASON, False))

    # --- integrity checks -------------------------------------------------------------------------------------------

    def _check_plan(self) -> list[_Check]:
        """The checks, oldest first: each tuple is (status, outcome, conducted on, trigger, follow-up sanction)."""
        today, days = self.today, lambda n: dt.timedelta(days=n)
        closed = [
            (dt.date(2022, 2, 17), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
            (dt.date(2022, 4, 14), CheckOutcome.FAILED, CheckTrigger.TARGETED, "severe_reprimand"),
            (dt.date(2022, 5, 26), CheckOutcome.INCONCLUSIVE, CheckTrigger.TARGETED, ""),
            (dt.date(2022, 9, 20), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
            (dt.date(2022, 11, 15), CheckOutcome.PROCEDURAL_FAILURE, CheckTrigger.RANDOM, ""),
            (dt.date(2023, 3, 2), CheckOutcome.PASSED, CheckTrigger.RANDOM, "", CENTRAL),
            (dt.date(2023, 6, 8), CheckOutcome.FAILED, CheckTrigger.TARGETED, "dismissal"),
            (dt.date(2023, 10, 19), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
            (dt.date(2024, 2, 13), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
            (dt.date(2024, 5, 21), CheckOutcome.FAILED, CheckTrigger.TARGETED, "incomplete_compliance"),
            (dt.date(2024, 9, 10), CheckOutcome.INCONCLUSIVE, CheckTrigger.RANDOM, "", CENTRAL),
            (dt.date(2025, 3, 11), CheckOutcome.PASSED, CheckTrigger.RANDOM, "", "investigator"),
            (dt.date(2025, 6, 24), CheckOutcome.PASSED, CheckTrigger.TARGETED, ""),
            (dt.date(2025, 10, 7), CheckOutcome.FAILED, CheckTrigger.TARGETED, "severe_reprimand"),
            (today - days(150), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
        ]
        plan: list[tuple] = [("closed", *spec) for spec in closed if spec[0] <= today - days(40)]
        plan += [
            ("reviewed", today - days(40), CheckOutcome.FAILED, CheckTrigger.TARGETED, "", "not-informed"),
            ("reviewed", today - days(55), CheckOutcome.PASSED, CheckTrigger.RANDOM, ""),
            ("reviewed", today - days(35), CheckOutcome.PROCEDURAL_FAILURE, CheckTrigger.RANDOM, "", "not-informed"),
            ("reviewed", today - days(70), CheckOutcome.FAILED, CheckTrigger.TARGETED, "reprimand", "not-informed"),
            ("conducted", today - days(18), "", CheckTrigger.TARGETED, ""),
            ("conducted", today - days(9), "", CheckTrigger.RANDOM, ""),
            ("conducted", today - days(4), "", CheckTrigger.RANDOM, ""),
        ]
        checks: list[_Check] = []
        for status, conducted, outcome, trigger, follow_up, *extra in plan:
            checks.append(
                _Check(
                    status=status,
                    outcome=outcome,
                    trigger=trigger,
                    conducted_on=conducted,
                    follow_up=follow_up,
                    informed="not-informed" not in extra,
                    who=next((e for e in extra if e in (CENTRAL, "investigator")), ""),
                )
            )
        # Approved (not yet conducted): the window is open or about to open.
        for approved_ago, window in ((12, (-5, 40)), (3, (5, 50)), (25, (-20, 20))):
            checks.append(
                _Check(
                    status=CheckStatus.APPROVED,
                    trigger=CheckTrigger.RANDOM if approved_ago != 3 else CheckTrigger.TARGETED,
                    approved_on=today - days(approved_ago),
                    planned=(today + days(window[0]), today + days(window[1])),
                )
            )
        # Drafts waiting for security's approval; one still lacks a confirmed safeguard.
        for offset, safeguards in ((20, True), (30, True), (45, False), (60, True)):
            checks.append(
                _Check(
                    status=CheckStatus.DRAFT,
                    trigger=CheckTrigger.TARGETED if offset == 30 else CheckTrigger.RANDOM,
                    planned=(today + days(offset), today + days(offset + 30)),
                    safeguards=safeguards,
                )
            )
        # Cancelled: two drafts, one after approval.
        for planned_from, approved, reason in (
            (dt.date(2023, 5, 15), False, CANCEL_REASONS[0]),
            (today - days(100), True, CANCEL_REASONS[1]),
            (today - days(200), False, CANCEL_REASONS[2]),
        ):
            checks.append(
                _Check(
                    status=CheckStatus.CANCELLED,
                    approved_on=planned_from - days(7) if approved else None,
                    planned=(planned_from, planned_from + days(30)),
                    safeguards=approved,
                    cancel_reason=reason,
                )
            )
        return checks

    def _reserve_tested(self, rng: random.Random) -> None:
        """Choose who is tested (never a linked user but the investigator, never anyone from the tester's 71)."""
        territorial = [
            s
            for s in self._free()
            if s.employee.department.code not in (CENTRAL, TESTER_DEPARTMENT)
            and s.employee.hired_on < dt.date(2021, 1, 1)
            and s.employee.status == EmployeeStatus.ACTIVE
        ]
        central = [
            s
            for s in self._free()
            if s.employee.department.code == CENTRAL
            and s.employee.hired_on < dt.date(2021, 1, 1)
            and s.employee.status == EmployeeStatus.ACTIVE
        ]
        self.checks = self._check_plan()
        taken: set[int] = set()
        for check in self.checks:
            if check.who == "investigator" and "investigator" in self.by_user:
                check.staff = self.by_user["investigator"]
            else:
                check.staff = self._pick(rng, central if check.who == CENTRAL else territorial, taken)
            check.staff.reserved = not check.staff.linked

    def _build_checks(self, rng: random.Random) -> list[_Built]:
        def days(n: int) -> dt.timedelta:
            return dt.timedelta(days=n)

        built: list[_Built] = []
        for index, spec in enumerate(self.checks):
            employee = spec.staff.employee
            central = employee.department.code == CENTRAL
            tester, approver = (self.security, self.tester) if central else (self.tester, self.security)
            check = IntegrityCheck(
                employee=employee,
                trigger=spec.trigger,
                grounds=GROUNDS[index % len(GROUNDS)] if spec.trigger == CheckTrigger.TARGETED else "",
                scenario=SCENARIOS[index % len(SCENARIOS)],
                tester=tester,
                status=spec.status,
                safeguard_realistic=True,
                safeguard_no_excess_inducement=spec.safeguards,
                safeguard_no_provocation=True,
            )
            events: list[tuple[str, str, User, str]] = [("", CheckStatus.DRAFT, tester, "")]
            follow_up: _Record | None = None
            if spec.conducted_on is not None:
                conducted = spec.conducted_on
                check.planned_from = conducted - days(rng.randint(3, 15))
                check.planned_to = conducted + days(rng.randint(10, 40))
                check.approver, check.approved_on = approver, check.planned_from - days(rng.randint(5, 20))
                check.conducted_on, check.conduct_notes = conducted, CONDUCT_NOTES
                events += [
                    (CheckStatus.DRAFT, CheckStatus.APPROVED, approver, ""),
                    (CheckStatus.APPROVED, CheckStatus.CONDUCTED, tester, ""),
                ]
                if spec.status in (CheckStatus.REVIEWED, CheckStatus.CLOSED):
                    check.outcome = spec.outcome
                    check.outcome_summary = OUTCOME_SUMMARIES[spec.outcome]
                    check.reviewed_on = min(conducted + days(rng.randint(5, 15)), self.today)
                    events.append(
                        (
                            CheckStatus.CONDUCTED,
                            CheckStatus.REVIEWED,
                            self.security,
                            str(CheckOutcome(spec.outcome).label),
                        )
                    )
                    last = check.reviewed_on
                    if spec.follow_up:
                        imposed = min(check.reviewed_on + days(rng.randint(3, 12)), self.today)
                        dates = (conducted, conducted, imposed)
                        if spec.follow_up == "dismissal":
                            follow_up = self._dismissal(
                                spec.staff, dates, FOLLOW_UP_OFFENCE, negative=True, corruption=True
                            )
                        else:
                            follow_up = _Record(
                                spec.staff,
                                self.sanctions[spec.follow_up],
                                FOLLOW_UP_OFFENCE,
                                *dates,
                                corruption_related=True,
                                allow_overturn=False,
                            )
                            self.records.append(follow_up)
                        last = max(last, imposed)
                    if spec.informed:
                        check.employee_informed_on = min(check.reviewed_on + days(rng.randint(3, 10)), self.today)
                        last = max(last, check.employee_informed_on)
                    if spec.status == CheckStatus.CLOSED:
                        check.closed_on = min(last + days(rng.randint(2, 10)), self.today)
                        events.append((CheckStatus.REVIEWED, CheckStatus.CLOSED, self.security, ""))
            else:
                check.planned_from, check.planned_to = spec.planned
                if spec.approved_on is not None:
                    check.approver, check.approved_on = approver, spec.approved_on
                    events.append((CheckStatus.DRAFT, CheckStatus.APPROVED, approver, ""))
                if spec.status == CheckStatus.CANCELLED:
                    check.cancel_reason = spec.cancel_reason
                    events.append((events[-1][1], CheckStatus.CANCELLED, self.security, spec.cancel_reason))
            check.version = len(events)
            built.append(_Built(check, events, follow_up))
        return built

    # --- writing --------------------------------------------------------------------------------------------------

    def _order_numbers(self) -> None:
        counters: dict[tuple[str, int], int] = {}
        for record in sorted(self.records, key=lambda r: (r.imposed_on, r.staff.employee.personnel_number)):
            key = (record.staff.employee.department.code, record.imposed_on.year)
            counters[key] = counters.get(key, 0) + 1
            record.order_number = f"{key[1]}/{counters[key]:03d}-лс"

    def run(self) -> None:
        rng_staff = random.Random(6_2022)  # noqa: S311 - demo data, not security
        rng_checks = random.Random(6_2023)  # noqa: S311
        rng_h1 = random.Random(6_2024)  # noqa: S311
        rng_later = random.Random(6_2025)  # noqa: S311
        rng_status = random.Random(6_2026)  # noqa: S311
        self._people(rng_staff, _Iins(rng_staff))
        self._reserve_tested(rng_checks)
        self._voluntary_dismissals(rng_staff)
        self._convictions()
        built = self._build_checks(rng_checks)
        self._first_half_2022(rng_h1)
        self._investigator_record()
        self._later_periods(rng_later)
        self._paths(rng_status)
        self._order_numbers()

        for staff in self.staff:
            if staff.employee.status == EmployeeStatus.DISMISSED:
                staff.employee.version = 2
        Employee.objects.bulk_create([s.employee for s in self.staff], batch_size=1000)

        rows: list[DisciplinaryRecord] = []
        for record in self.records:
            last = record.path[-1] if record.path else None
            manual = [step for step in record.path if step[4]]
            rows.append(
                DisciplinaryRecord(
                    employee=record.staff.employee,
                    offence=record.offence,
                    committed_on=record.committed_on,
                    discovered_on=record.discovered_on,
                    corruption_related=record.corruption_related,
                    sanction=record.sanction,
                    negative_grounds=record.negative_grounds,
                    order_number=record.order_number,
                    imposed_on=record.imposed_on,
                    expires_on=None if record.sanction.is_dismissal else add_months(record.imposed_on, 12),
                    status=last[1] if last else DisciplineStatus.ACTIVE,
                    status_changed_on=last[2] if last else record.imposed_on,
                    status_reason=manual[-1][3] if manual else "",
                    version=1 + len(record.path),
                )
            )
            record.row = rows[-1]
        DisciplinaryRecord.objects.bulk_create(rows, batch_size=1000)
        events = []
        for record in self.records:
            row = record.row
            events.append(
                DisciplinaryRecordEvent(
                    record=row, actor=self.security, from_status="", to_status="active", reason=row.order_number
                )
            )
            for source, target, on, reason, by_person in record.path:
                text = f"{reason} ({on:%d.%m.%Y})" if by_person else reason
                events.append(
                    DisciplinaryRecordEvent(
                        record=row,
                        actor=self.security if by_person else None,
                        from_status=source,
                        to_status=target,
                        reason=text,
                    )
                )
        DisciplinaryRecordEvent.objects.bulk_create(events, batch_size=2000)
        Conviction.objects.bulk_create(self.convictions)

        for item in built:
            if item.follow_up is not None:
                item.check.follow_up_record = item.follow_up.row
        IntegrityCheck.objects.bulk_create([item.check for item in built])
        IntegrityCheckEvent.objects.bulk_create(
            IntegrityCheckEvent(
                integrity_check=item.check, actor=actor, from_status=source, to_status=target, reason=reason
            )
            for item in built
            for source, target, actor, reason in item.events
        )
