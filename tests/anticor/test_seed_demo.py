"""seed_demo: one demo user per role, a stable password, and nothing duplicated on a re-run (DESIGN.md §5.1)."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from anticor import demo
from anticor.demo import PasswordOrigin, demo_seed
from anticor.models import User
from cases.models import TerminationGround

pytestmark = pytest.mark.django_db

PASSWORD = "Demo-Corr3ct-horse-42"

EXPECTED_USERS = {
    # username: (groups, department code, is_staff)
    "admin": (["administrator"], "00", True),
    "investigator": (["investigator"], "75", False),
    "head": (["department_head"], "75", False),
    "analyst": (["analyst"], "00", False),
    "lead": (["project_lead"], "00", False),
    "security": (["internal_security"], "00", False),
    "security2": (["internal_security"], "71", False),
    "auditor": (["auditor"], "00", False),
}


@pytest.fixture(autouse=True)
def var_dir(tmp_path, monkeypatch, settings):
    """The generated password goes to a temporary var/ instead of the project's."""
    # A fast hasher: these tests hash and check passwords many times; what is tested is the same.
    path = tmp_path / "var"
    monkeypatch.setattr(demo, "VAR_DIR", path)
    return path


def users_snapshot() -> dict[str, tuple[list[str], str, bool]]:
    return {
        user.username: (
            sorted(user.groups.values_list("name", flat=True)),
            user.department.code,
            user.is_staff,
        )
        for user in User.objects.select_related("department")
    }


def test_seed_creates_exactly_the_demo_users():
    # given a database with reference data and no users
    assert User.objects.count() == 0
    # when seed_demo runs with a password
    call_command("seed_demo", "--password", PASSWORD, verbosity=0)
    # then exactly the eight demo users exist with exactly their role group and department
    assert users_snapshot() == EXPECTED_USERS
    assert User.objects.filter(is_superuser=True).count() == 0
    assert User.objects.filter(is_active=True).count() == 8


def test_admin_is_staff_but_not_superuser():
    call_command("seed_demo", "--password", PASSWORD, verbosity=0)
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, False)
    assert admin.department.is_central_office


def test_users_have_russian_names_and_positions():
    call_command("seed_demo", "--password", PASSWORD, verbosity=0)
    investigator = User.objects.get(username="investigator")
    assert investigator.display_name == "Сейткалиев Ерлан Маратович"
    assert investigator.position == "Старший следователь следственного управления"
    assert User.objects.filter(last_name="").count() == 0
    assert User.objects.filter(position="").count() == 0


def test_every_user_authenticates_with_the_given_password():
    # given the demo users were seeded with a password
    call_command("seed_demo", "--password", PASSWORD, verbosity=0)
    # then each accepts it and rejects another
    for user in User.objects.all():
        assert user.check_password(PASSWORD), user.username
        assert not user.check_password(PASSWORD + "x"), user.username


def test_second_run_creates_no_users_and_keeps_ids():
    # given the demo was seeded once
    first = demo_seed(password=PASSWORD)
    ids = dict(User.objects.values_list("username", "pk"))
    # when it is seeded again
    second = demo_seed(password=PASSWORD)
    # then no user is created, ids are the same and each user still has exactly one group
    assert (first.created_users, second.created_users) == (8, 0)
    assert dict(User.objects.values_list("username", "pk")) == ids
    assert users_snapshot() == EXPECTED_USERS
    assert Group.objects.filter(name__in=["administrator", "investigator"]).count() == 2


def test_second_run_restores_a_changed_demo_user():
    # given someone made the investigator a superuser in another department and in an extra group
    demo_seed(password=PASSWORD)
    User.objects.filter(username="investigator").update(is_superuser=True, department_id=None)
    User.objects.get(username="investigator").groups.add(Group.objects.get(name="auditor"))
    # when the demo is seeded again
    demo_seed(password=PASSWORD)
    # then the investigator is back to its demo definition
    assert users_snapshot() == EXPECTED_USERS
    assert User.objects.get(username="investigator").is_superuser is False


def test_seed_leaves_edited_reference_data_alone():
    # given an analyst's edit of a rehabilitating flag
    TerminationGround.objects.filter(code="death").update(rehabilitating=True)
    # when the demo is seeded
    result = demo_seed(password=PASSWORD)
    # then the edit survives and no reference row is created
    assert TerminationGround.objects.get(code="death").rehabilitating is True
    assert sum(stats.created for stats in result.reference.values()) == 0


def test_without_password_one_is_generated_stored_and_reused(var_dir):
    # given no stored password
    password_file = var_dir / "demo-password"
    assert not password_file.exists()
    # when the demo is seeded without a password
    first = demo_seed(password=None)
    # then a strong password is generated and stored, readable by the owner only
    assert first.password_origin == PasswordOrigin.GENERATED
    assert first.password_file == password_file
    assert len(first.password) == 20
    assert first.password.isalnum()
    assert password_file.read_text(encoding="utf-8").strip() == first.password
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert all(user.check_password(first.password) for user in User.objects.all())
    # when it is seeded again without a password
    second = demo_seed(password=None)
    # then the stored password is reused and still works
    assert second.password_origin == PasswordOrigin.STORED
    assert second.password == first.password
    assert second.created_users == 0
    assert all(user.check_password(first.password) for user in User.objects.all())


def test_command_without_password_reuses_the_stored_one(var_dir):
    # given a password stored by an earlier run
    var_dir.mkdir()
    (var_dir / "demo-password").write_text("Stored-demo-password-1\n", encoding="utf-8")
    out = StringIO()
    # when the command runs without --password
    call_command("seed_demo", stdout=out)
    # then the users get the stored password and the output ends with it
    assert all(user.check_password("Stored-demo-password-1") for user in User.objects.all())
    assert out.getvalue().splitlines()[-1].startswith("Пароль для всех: Stored-demo-password-1 ")


def test_given_password_is_not_written_to_the_var_file(var_dir):
    demo_seed(password=PASSWORD)
    assert not (var_dir / "demo-password").exists()


def test_command_prints_the_logins_roles_and_password():
    # given an empty user table
    out = StringIO()
    # when the command runs
    call_command("seed_demo", "--password", PASSWORD, stdout=out)
    # then it prints a header, one row per user with the role, and the password last
    lines = out.getvalue().splitlines()
    assert lines[0] == "Демонстрационные пользователи: создано 8, уже были 0."
    assert lines[1].split() == ["Логин", "Роль", "Департамент", "ФИО"]
    assert [line.split()[0] for line in lines[2:10]] == list(EXPECTED_USERS)
    assert lines[2].split()[:3] == ["admin", "Администратор", "00"]
    assert lines[3].split()[:3] == ["investigator", "Следователь", "75"]
    assert lines[-1] == f"Пароль для всех: {PASSWORD} (задан параметром --password)"
    assert len(lines) == 11


def test_command_is_silent_at_verbosity_zero():
    out = StringIO()
    call_command("seed_demo", "--password", PASSWORD, verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert User.objects.count() == 8


def test_empty_password_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--password", " ", verbosity=0)
    assert User.objects.count() == 0


def test_demo_data_steps_run_after_the_users(monkeypatch):
    # given a registered demo data step
    seen: list[list[str]] = []
    monkeypatch.setattr(demo, "DEMO_DATA_STEPS", [lambda users: seen.append(sorted(users))])
    # when the demo is seeded
    demo_seed(password=PASSWORD)
    # then the step received every demo user
    assert seen == [sorted(EXPECTED_USERS)]


def test_demo_roles_are_on_the_role_change_record():
    # Given the demo seeded twice, and an extra group added around the services in between
    from anticor.models import RoleChange

    demo_seed(password=PASSWORD)
    investigator = User.objects.get(username="investigator")
    investigator.groups.add(Group.objects.get(name="auditor"))
    demo_seed(password=PASSWORD)
    # Then every demo membership has exactly one bootstrap grant, and the undoing of the extra one is recorded too
    rows = RoleChange.objects.filter(user__username__in=[u.username for u in demo.DEMO_USERS])
    grants = sorted(rows.filter(action="grant").values_list("user__username", "role"))
    assert grants == sorted((u.username, u.role.value) for u in demo.DEMO_USERS)
    assert list(rows.filter(action="revoke").values_list("user__username", "role", "mode")) == [
        ("investigator", "auditor", "bootstrap")
    ]
    assert set(rows.values_list("reason", flat=True)) == {demo.DEMO_ROLE_REASON}
