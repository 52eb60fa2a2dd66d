"""The demo installation (DESIGN.md §5.1): reference data, one user per role, and the demo dataset.

The generated password is kept in ``var/demo-password`` so that ``make run`` can be repeated without the logins
changing under the person trying the system.
"""

from __future__ import annotations

import enum
import os
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from anticor import embedded
from anticor.access import Role, sync_roles
from anticor.models import Department, User
from anticor.reference import LoadStats, reference_load
from anticor.roles.services import roles_seed

# Where the generated password is kept: the same var/ as the embedded services and ``make run`` (ANTICOR_VAR_DIR
# overrides it); tests point this elsewhere.
VAR_DIR: Path = embedded.VAR_DIR
PASSWORD_FILENAME = "demo-password"  # noqa: S105 - a file name, not a password
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
_PASSWORD_LENGTH = 20
DEMO_ROLE_REASON = "Демонстрационная установка (manage.py seed_demo)"


@dataclass(frozen=True)
class DemoUserSpec:
    # Names and positions are stored data (shown as entered), not interface text, so they are not translated.
    username: str
    role: Role
    department_code: str
    last_name: str
    first_name: str
    middle_name: str
    position: str
    is_staff: bool = False


CENTRAL = Department.CENTRAL_OFFICE_CODE
ALMATY = "75"

DEMO_USERS: tuple[DemoUserSpec, ...] = (
    DemoUserSpec(
        username="admin",
        role=Role.ADMINISTRATOR,
        department_code=CENTRAL,
        last_name="Сергеев",
        first_name="Андрей",
        middle_name="Викторович",
        position="Главный эксперт — администратор информационной системы",
        is_staff=True,
    ),
    DemoUserSpec(
        username="investigator",
        role=Role.INVESTIGATOR,
        department_code=ALMATY,
        last_name="Сейткалиев",
        first_name="Ерлан",
        middle_name="Маратович",
        position="Старший следователь следственного управления",
    ),
    DemoUserSpec(
        username="head",
        role=Role.DEPARTMENT_HEAD,
        department_code=ALMATY,
        last_name="Ахметова",
        first_name="Гульнара",
        middle_name="Сериковна",
        position="Руководитель департамента",
    ),
    DemoUserSpec(
        username="analyst",
        role=Role.ANALYST,
        department_code=CENTRAL,
        last_name="Касымова",
        first_name="Айгерим",
        middle_name="Бауыржановна",
        position="Главный эксперт аналитического управления",
    ),
    DemoUserSpec(
        username="lead",
        role=Role.PROJECT_LEAD,
        department_code=CENTRAL,
        last_name="Омаров",
        first_name="Данияр",
        middle_name="Ерланович",
        position="Руководитель проектного офиса",
    ),
    DemoUserSpec(
        username="security",
        role=Role.INTERNAL_SECURITY,
        department_code=CENTRAL,
        last_name="Жумабеков",
        first_name="Асхат",
        middle_name="Нурланович",
        position="Начальник управления собственной безопасности",
    ),
    # A second internal-security officer: an Integrity Check is approved by someone other than its tester.
    DemoUserSpec(
        username="security2",
        role=Role.INTERNAL_SECURITY,
        department_code="71",
        last_name="Тулегенов",
        first_name="Нурлан",
        middle_name="Бахытович",
        position="Старший оперуполномоченный отдела собственной безопасности",
    ),
    DemoUserSpec(
        username="auditor",
        role=Role.AUDITOR,
        department_code=CENTRAL,
        last_name="Ким",
        first_name="Елена",
        middle_name="Николаевна",
        position="Главный эксперт службы внутреннего аудита",
    ),
)


# --- demo dataset registry ------------------------------------------------------------------------------------------
# Each app adds its part of the demo dataset from its AppConfig.ready() with register_demo (the platform imports no
# app). A step receives the demo users by username, runs inside demo_seed's transaction after the users exist, in
# registration order (INSTALLED_APPS), and must be idempotent: a second seed_demo creates or changes nothing.
DemoStep = Callable[[Mapping[str, User]], None]
DEMO_DATA_STEPS: list[DemoStep] = []


def register_demo(step: DemoStep) -> None:
    """Add an app's demo step after those registered before it (once, however often ready() runs)."""
    if step not in DEMO_DATA_STEPS:
        DEMO_DATA_STEPS.append(step)


class PasswordOrigin(enum.StrEnum):
    ARGUMENT = "argument"  # given with --password
    GENERATED = "generated"  # new, written to the var file
    STORED = "stored"  # read back from the var file


@dataclass(frozen=True)
class DemoUserResult:
    username: str
    role: Role
    department_code: str
    display_name: str
    created: bool


@dataclass(frozen=True)
class DemoResult:
    password: str
    password_origin: PasswordOrigin
    password_file: Path | None
    users: tuple[DemoUserResult, ...]
    reference: dict[str, LoadStats]

    @property
    def created_users(self) -> int:
        return sum(1 for user in self.users if user.created)


def demo_password_file() -> Path:
    return VAR_DIR / PASSWORD_FILENAME


def _generate_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))


def _stored_or_new_password() -> tuple[str, PasswordOrigin, Path]:
    """The password kept in the var file, or a new one written there (readable by the owner only)."""
    path = demo_password_file()
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, PasswordOrigin.STORED, path
    path.parent.mkdir(parents=True, exist_ok=True)
    password = _generate_password()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing (empty) file may have had a wider mode
        os.write(fd, (password + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return password, PasswordOrigin.GENERATED, path


def _ensure_user(spec: DemoUserSpec, *, password: str, department: Department) -> tuple[User, bool]:
    """Create the user or bring it back to its demo definition; saves only when something differs."""
    user = User.objects.filter(username=spec.username).first()
    created = user is None
    if user is None:
        user = User(username=spec.username)
    wanted = {
        "last_name": spec.last_name,
        "first_name": spec.first_name,
        "middle_name": spec.middle_name,
        "position": spec.position,
        "department": department,
        "is_staff": spec.is_staff,
        "is_superuser": False,
        "is_active": True,
    }
    changed = created
    for field, value in wanted.items():
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed = True
    if created or not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.full_clean()
        user.save()
    # The demo's own bootstrap path: every membership it sets or undoes is on the role-change record.
    roles_seed(user=user, roles=[spec.role], reason=DEMO_ROLE_REASON)
    return user, created


def demo_seed(*, password: str | None = None) -> DemoResult:
    """Reference data, role groups and the demo users (and, through DEMO_DATA_STEPS, the demo dataset).

    Safe to re-run: nothing is duplicated, and reference rows edited since the first run are left alone.
    """
    if password is not None and not password:
        raise ValueError("an empty demo password")
    if password is None:
        password, origin, password_file = _stored_or_new_password()
    else:
        origin, password_file = PasswordOrigin.ARGUMENT, None

    with transaction.atomic():
        reference = reference_load()
        sync_roles()
        codes = {spec.department_code for spec in DEMO_USERS}
        departments = {dept.code: dept for dept in Department.objects.filter(code__in=codes)}
        users: dict[str, User] = {}
        results: list[DemoUserResult] = []
        for spec in DEMO_USERS:
            user, created = _ensure_user(spec, password=password, department=departments[spec.department_code])
            users[spec.username] = user
            results.append(
                DemoUserResult(
                    username=spec.username,
                    role=spec.role,
                    department_code=spec.department_code,
                    display_name=user.display_name,
                    created=created,
                )
            )
        for step in DEMO_DATA_STEPS:
            step(users)

    return DemoResult(
        password=password,
        password_origin=origin,
        password_file=password_file,
        users=tuple(results),
        reference=reference,
    )
