"""Demo dataset for projects: the six mandatory directions with projects, KPIs, measurements, milestones, risks and
public events (DESIGN.md §4.3, §5.1).

Only the anti-corruption direction is certain; the five others are created as clearly labelled examples
(``is_example``) so that nobody takes them for the approved list. Deterministic (fixed seed, dates relative to
today) and bulk-inserted; it runs once — if demo projects already exist, it does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone

from anticor.models import Department, User
from projects.choices import (
    MAX_ACTIVE_MANDATORY_DIRECTIONS,
    Better,
    MilestoneStatus,
    ProjectStatus,
    PublicEventKind,
    RiskStatus,
)
from projects.kpis import Trajectory
from projects.models import KPI, Direction, KPIMeasurement, Milestone, Project, PublicEvent, Risk

DEMO_PREFIX = "DEMO-"  # demo project codes start with it so they never clash with real ones
ANTI_CORRUPTION = "anti_corruption"

# code, Russian name, Kazakh name — each name says it is an example
EXAMPLE_DIRECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "example_digital_services",
        "Пример: Цифровизация государственных услуг",
        "Мысал: Мемлекеттік қызметтерді цифрландыру",
    ),
    (
        "example_openness",
        "Пример: Открытость и подотчётность государственных органов",
        "Мысал: Мемлекеттік органдардың ашықтығы мен есептілігі",
    ),
    (
        "example_civil_service",
        "Пример: Повышение качества государственной службы",
        "Мысал: Мемлекеттік қызмет сапасын арттыру",
    ),
    (
        "example_civil_society",
        "Пример: Взаимодействие с гражданским обществом",
        "Мысал: Азаматтық қоғаммен өзара іс-қимыл",
    ),
    (
        "example_budget",
        "Пример: Эффективное управление бюджетными средствами",
        "Мысал: Бюджет қаражатын тиімді басқару",
    ),
)

# direction → projects: (title, goal, KPIs as (name, unit, baseline, target, better))
PROJECTS: dict[str, list[tuple[str, str, list[tuple[str, str, int, int, str]]]]] = {
    ANTI_CORRUPTION: [
        (
            "Прозрачные земельные торги",
            "Исключить ручное распределение земельных участков",
            [
                ("Доля участков, распределённых через электронный аукцион", "%", 35, 95, Better.HIGHER),
                ("Жалобы на распределение участков", "ед.", 120, 40, Better.LOWER),
            ],
        ),
        (
            "Антикоррупционный комплаенс в квазигосударственном секторе",
            "Внедрить комплаенс-службы и проверку конфликта интересов",
            [
                ("Организации с действующей комплаенс-службой", "%", 20, 90, Better.HIGHER),
                ("Выявленные конфликты интересов без урегулирования", "ед.", 60, 10, Better.LOWER),
                ("Сотрудники, прошедшие обучение", "%", 15, 85, Better.HIGHER),
            ],
        ),
        (
            "Устранение причин коррупции в сфере здравоохранения",
            "Сократить ручные процедуры при закупке лекарств",
            [
                ("Закупки лекарств через единого дистрибьютора", "%", 50, 90, Better.HIGHER),
                ("Среднее время рассмотрения жалобы", "дн.", 30, 10, Better.LOWER),
            ],
        ),
    ],
    "example_digital_services": [
        (
            "Пример: Услуги в электронном формате",
            "Перевести массовые услуги в электронный формат",
            [
                ("Доля услуг, оказанных в электронном формате", "%", 60, 95, Better.HIGHER),
                ("Среднее время оказания услуги", "дн.", 15, 3, Better.LOWER),
            ],
        ),
        (
            "Пример: Проактивные услуги",
            "Оказывать услуги без заявления по жизненным ситуациям",
            [
                ("Проактивные услуги", "ед.", 5, 40, Better.HIGHER),
                ("Обращения с требованием справок", "тыс.", 200, 50, Better.LOWER),
            ],
        ),
    ],
    "example_openness": [
        (
            "Пример: Открытые бюджеты",
            "Публиковать бюджеты и их исполнение в понятном виде",
            [
                ("Опубликованные отчёты об исполнении бюджета", "%", 40, 100, Better.HIGHER),
                ("Просроченные ответы на запросы информации", "ед.", 80, 10, Better.LOWER),
            ],
        ),
        (
            "Пример: Отчёты руководителей перед населением",
            "Проводить отчётные встречи с онлайн-трансляцией",
            [
                ("Отчётные встречи с трансляцией", "%", 30, 100, Better.HIGHER),
                ("Вопросы жителей без ответа", "ед.", 150, 20, Better.LOWER),
                ("Участники встреч", "чел.", 500, 3000, Better.HIGHER),
            ],
        ),
    ],
    "example_civil_service": [
        (
            "Пример: Меритократический отбор",
            "Отбирать кадры через открытое тестирование",
            [
                ("Назначения по результатам открытого конкурса", "%", 55, 95, Better.HIGHER),
                ("Обжалованные результаты конкурсов", "ед.", 40, 10, Better.LOWER),
            ],
        ),
        (
            "Пример: Этика государственной службы",
            "Снизить число нарушений служебной этики",
            [
                ("Нарушения служебной этики", "ед.", 90, 30, Better.LOWER),
                ("Служащие, прошедшие курс этики", "%", 25, 90, Better.HIGHER),
            ],
        ),
    ],
    "example_civil_society": [
        (
            "Пример: Общественный мониторинг закупок",
            "Вовлечь НПО в мониторинг государственных закупок",
            [
                ("Закупки под общественным мониторингом", "%", 5, 40, Better.HIGHER),
                ("Нарушения, устранённые по сигналам НПО", "ед.", 10, 80, Better.HIGHER),
            ],
        ),
        (
            "Пример: Общественные советы",
            "Усилить роль общественных советов",
            [
                ("Рекомендации советов, принятые к исполнению", "%", 30, 80, Better.HIGHER),
                ("Заседания, сорванные из-за отсутствия кворума", "ед.", 20, 2, Better.LOWER),
            ],
        ),
        (
            "Пример: Антикоррупционное просвещение молодёжи",
            "Провести цикл занятий в школах и колледжах",
            [
                ("Охваченные учащиеся", "тыс.", 10, 120, Better.HIGHER),
                ("Доля терпимых к бытовой коррупции (опрос)", "%", 45, 25, Better.LOWER),
            ],
        ),
    ],
    "example_budget": [
        (
            "Пример: Конкурентные закупки",
            "Сократить закупки из одного источника",
            [
                ("Закупки из одного источника", "%", 40, 15, Better.LOWER),
                ("Средняя экономия на торгах", "%", 3, 10, Better.HIGHER),
            ],
        ),
        (
            "Пример: Контроль субсидий",
            "Проверять получателей субсидий по реестрам",
            [
                ("Субсидии, проверенные автоматически", "%", 20, 100, Better.HIGHER),
                ("Возвраты неправомерно полученных субсидий", "млн тг", 500, 100, Better.LOWER),
            ],
        ),
    ],
}

MILESTONES = ["Утверждён паспорт проекта", "Разработан регламент", "Запущен пилот", "Проведена оценка результатов"]
RISKS = [
    ("Сопротивление аппарата изменениям", "Разъяснительная работа, поддержка руководства"),
    ("Недостаточное финансирование", "Включение расходов в бюджетную заявку"),
    ("Сбои информационных систем", "Резервный ручной порядок с журналом"),
    ("Низкая активность населения", "Информационная кампания в СМИ"),
]
EVENTS = [
    (PublicEventKind.HEARING, "Общественные слушания по проекту", "Предложения учтены в плане мероприятий"),
    (PublicEventKind.MEETING, "Встреча с жителями", "Получено 12 обращений, ответы даны"),
    (PublicEventKind.SURVEY, "Опрос получателей услуг", "Удовлетворённость 71%"),
    (PublicEventKind.MEDIA, "Интервью руководителя проекта", "Опубликовано на портале государственного органа"),
]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _directions() -> dict[str, Direction]:
    """The anti-corruption direction (reference data) and the five examples, without breaking the limit of six."""
    existing = {d.code: d for d in Direction.objects.all()}
    active = Direction.objects.filter(is_active=True, is_mandatory=True).count()
    for order, (code, name_ru, name_kk) in enumerate(EXAMPLE_DIRECTIONS, start=2):
        if code in existing:
            continue
        room = active < MAX_ACTIVE_MANDATORY_DIRECTIONS
        existing[code] = Direction.objects.create(
            code=code, name_ru=name_ru, name_kk=name_kk, is_example=True, order=order, is_active=room
        )
        active += room
    return existing


def demo_projects(users: Mapping[str, User]) -> None:
    """Create the demo projects unless they exist (a few per direction, KPIs measured monthly up to today)."""
    if Project.objects.filter(code__startswith=DEMO_PREFIX).exists():
        return
    rng = random.Random(4_3)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    directions = _directions()
    departments = list(Department.objects.order_by("code"))
    lead, analyst = users.get("lead"), users.get("analyst")
    if lead is None or not departments:
        return

    projects: list[Project] = []
    kpi_specs: list[tuple[int, tuple[str, str, int, int, str]]] = []
    number = 0
    for direction_code, specs in PROJECTS.items():
        direction = directions.get(direction_code)
        if direction is None:
            continue
        for title, goal, kpis in specs:
            number += 1
            start = _add_months(today, -(6 + number % 9))
            status = ProjectStatus.ACTIVE
            if number % 7 == 0:
                status = ProjectStatus.APPROVED
            projects.append(
                Project(
                    direction=direction,
                    code=f"{DEMO_PREFIX}{today.year}-{number:02d}",
                    title=title,
                    goal=goal,
                    lead=lead,
                    curator=analyst if number % 2 == 0 else None,
                    owner_department=departments[(number * 3) % len(departments)],
                    start_on=start,
                    end_on=_add_months(start, 24),
                    status=status,
                    partners="Общественный совет; НПО «Транспэренси Казахстан»" if number % 3 == 0 else "",
                )
            )
            kpi_specs += [(len(projects) - 1, kpi) for kpi in kpis]
    Project.objects.bulk_create(projects)

    kpis: list[KPI] = []
    for index, (name, unit, baseline, target, better) in kpi_specs:
        project = projects[index]
        kpis.append(
            KPI(
                project=project,
                name=name,
                unit=unit,
                baseline=Decimal(baseline),
                target=Decimal(target),
                target_on=_add_months(project.start_on, 18),
                better=better,
                method="Данные ведомственной отчётности, ежемесячно",
                responsible=lead,
            )
        )
    KPI.objects.bulk_create(kpis)

    measurements: list[KPIMeasurement] = []
    for position, kpi in enumerate(kpis):
        line = Trajectory(
            start_on=kpi.project.start_on, baseline=kpi.baseline, target_on=kpi.target_on, target=kpi.target
        )
        # Every third KPI lags its trajectory; the others run slightly ahead of it.
        ahead = Decimal("-0.15") if position % 3 == 1 else Decimal("0.05")
        span = abs(kpi.target - kpi.baseline)
        sign = 1 if kpi.better == Better.HIGHER else -1
        day = _add_months(kpi.project.start_on, 1)
        while day <= today:
            expected = line.expected(day)
            value = Decimal(expected.numerator) / Decimal(expected.denominator) + sign * ahead * span
            value += Decimal(rng.randint(-10, 10)) / 1000 * span  # noise smaller than the lead or the lag
            measurements.append(
                KPIMeasurement(
                    kpi=kpi,
                    measured_on=day,
                    period=f"{day.year}-{day.month:02d}",
                    value=value.quantize(Decimal("0.1")),
                    evidence="Ведомственный отчёт за месяц",
                    entered_by=lead,
                )
            )
            day = _add_months(day, 1)
    KPIMeasurement.objects.bulk_create(measurements)

    milestones: list[Milestone] = []
    risks: list[Risk] = []
    events: list[PublicEvent] = []
    for number, project in enumerate(projects):
        for step, title in enumerate(MILESTONES):
            due_on = _add_months(project.start_on, 2 + step * 4)
            done = due_on < today and (step == 0 or (number + step) % 3 != 0)
            milestones.append(
                Milestone(
                    project=project,
                    title=title,
                    due_on=due_on,
                    done_on=due_on - dt.timedelta(days=3) if done else None,
                    evidence=f"Протокол рабочей группы № {step + 1}" if done else "",
                    status=MilestoneStatus.DONE if done else MilestoneStatus.PLANNED,
                )
            )
        for step in range(2):
            description, mitigation = RISKS[(number + step) % len(RISKS)]
            risks.append(
                Risk(
                    project=project,
                    description=description,
                    likelihood=rng.randint(1, 5),
                    impact=rng.randint(1, 5),
                    mitigation=mitigation,
                    owner=lead,
                    status=RiskStatus.MITIGATED if (number + step) % 5 == 0 else RiskStatus.OPEN,
                )
            )
        for step in range(2):
            kind, title, outcome = EVENTS[(number + step) % len(EVENTS)]
            events.append(
                PublicEvent(
                    project=project,
                    held_on=_add_months(project.start_on, 1 + step * 3),
                    kind=kind,
                    title=title,
                    participants=rng.randint(15, 250),
                    outcome=outcome,
                )
            )
    Milestone.objects.bulk_create(milestones)
    Risk.objects.bulk_create(risks)
    PublicEvent.objects.bulk_create(events)
