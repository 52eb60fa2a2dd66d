"""Reference data: loaded from the package's own fixtures, idempotent, and respectful of analysts' edits."""

from __future__ import annotations

import csv
import shutil
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from anticor import reference
from anticor.identifiers import validate_iin
from anticor.models import Article, Department, Region, StateBody
from anticor.reference import FIXTURES_DIR, ReferenceDataError, read_fixture, reference_load
from cases.models import RootCauseCategory, Sector, TerminationGround
from integrity.models import Sanction
from projects.models import Direction

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    "regions": 20,
    "departments": 21,
    "state_bodies": 49,
    "articles": 10,
    "sectors": 12,
    "termination_grounds": 13,
    "root_cause_categories": 10,
    "sanctions": 7,
    "directions": 1,  # only «Предупреждение и противодействие коррупции» is certain
}
MODELS = {
    "regions": Region,
    "departments": Department,
    "state_bodies": StateBody,
    "articles": Article,
    "sectors": Sector,
    "termination_grounds": TerminationGround,
    "root_cause_categories": RootCauseCategory,
    "sanctions": Sanction,
    "directions": Direction,
}
FILES = {table.name: table.filename for table in reference.TABLES}


def db_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in MODELS.items()}


def empty_reference_tables() -> None:
    # Children before parents: departments point at their parent and at regions, state bodies at regions.
    Department.objects.exclude(parent=None).delete()
    for model in reversed(MODELS.values()):
        model.objects.all().delete()


# --- counts ----------------------------------------------------------------------------------------------------------


def test_fixture_files_hold_the_expected_rows():
    # given the fixtures shipped inside the package
    # when each file is read
    counts = {name: len(read_fixture(filename)) for name, filename in FILES.items()}
    # then they hold exactly the documented number of rows
    assert counts == EXPECTED_COUNTS
    assert FIXTURES_DIR.parent.parent.name == "anticor"


def test_test_database_starts_with_every_fixture_row():
    # given the session setup ran load_reference
    # when the tables are counted
    # then each holds exactly the rows of its CSV file
    assert db_counts() == EXPECTED_COUNTS


def test_load_into_empty_tables_creates_every_row():
    # given empty reference tables
    empty_reference_tables()
    assert set(db_counts().values()) == {0}
    # when the reference data is loaded
    stats = reference_load()
    # then every row is created and counted as such
    assert {name: s.created for name, s in stats.items()} == EXPECTED_COUNTS
    assert {name: (s.updated, s.unchanged) for name, s in stats.items()} == dict.fromkeys(EXPECTED_COUNTS, (0, 0))
    assert db_counts() == EXPECTED_COUNTS


def test_rerun_creates_nothing():
    # given the data is already loaded
    before = db_counts()
    # when it is loaded again
    stats = reference_load()
    # then nothing is created or updated and every row is reported unchanged
    assert {name: (s.created, s.updated, s.unchanged) for name, s in stats.items()} == {
        name: (0, 0, count) for name, count in EXPECTED_COUNTS.items()
    }
    assert db_counts() == before == EXPECTED_COUNTS


def test_rerun_with_update_and_no_edits_changes_nothing():
    # given the data is loaded and nobody edited it
    # when it is loaded with update
    stats = reference_load(update=True)
    # then nothing differs, so nothing is written
    assert {name: (s.created, s.updated) for name, s in stats.items()} == dict.fromkeys(EXPECTED_COUNTS, (0, 0))
    assert db_counts() == EXPECTED_COUNTS


# --- analysts' edits -------------------------------------------------------------------------------------------------


def test_analyst_edit_survives_a_plain_rerun():
    # given an analyst decided that limitation is a rehabilitating ground and renamed a sector
    TerminationGround.objects.filter(code="limitation").update(rehabilitating=True)
    Sector.objects.filter(code="other").update(name_ru="Иные сферы")
    # when load_reference runs again without --update
    call_command("load_reference", verbosity=0)
    # then the edits are kept
    assert TerminationGround.objects.get(code="limitation").rehabilitating is True
    assert Sector.objects.get(code="other").name_ru == "Иные сферы"
    assert db_counts() == EXPECTED_COUNTS


def test_update_resets_edited_rows_to_the_fixture():
    # given an analyst's edits
    TerminationGround.objects.filter(code="limitation").update(rehabilitating=True)
    Sector.objects.filter(code="other").update(name_ru="Иные сферы")
    # when the reference data is loaded with update
    stats = reference_load(update=True)
    # then exactly the edited rows are written back to the shipped values
    assert TerminationGround.objects.get(code="limitation").rehabilitating is False
    assert Sector.objects.get(code="other").name_ru == "Прочее"
    assert (stats["termination_grounds"].updated, stats["termination_grounds"].unchanged) == (1, 12)
    assert (stats["sectors"].updated, stats["sectors"].unchanged) == (1, 11)
    assert sum(s.updated for s in stats.values()) == 2
    assert db_counts() == EXPECTED_COUNTS


def test_update_restores_a_changed_foreign_key():
    # given department 75 was pointed at the wrong region
    Department.objects.filter(code="75").update(region=Region.objects.get(code="19"))
    # when the reference data is loaded with update
    stats = reference_load(update=True)
    # then it points at Almaty city again
    assert Department.objects.get(code="75").region.code == "75"
    assert stats["departments"].updated == 1


def test_missing_row_is_added_back_without_touching_the_others():
    # given a sector was removed and another renamed
    Sector.objects.filter(code="housing").delete()
    Sector.objects.filter(code="land").update(name_ru="Земля")
    # when the data is loaded again
    stats = reference_load()
    # then only the missing one is created
    assert (stats["sectors"].created, stats["sectors"].updated, stats["sectors"].unchanged) == (1, 0, 11)
    assert Sector.objects.get(code="housing").name_ru == "Жилищно-коммунальное хозяйство"
    assert Sector.objects.get(code="land").name_ru == "Земля"


def test_a_bad_fixture_changes_nothing(tmp_path, monkeypatch):
    # given a copy of the fixtures with a new valid sector and an invalid sanction code
    shutil.copytree(FIXTURES_DIR, tmp_path, dirs_exist_ok=True)
    with (tmp_path / "sectors.csv").open("a", encoding="utf-8") as handle:
        handle.write("mining,Недропользование,Жер қойнауын пайдалану\n")
    with (tmp_path / "sanctions.csv").open("a", encoding="utf-8") as handle:
        handle.write("Bad Code,Неверный код,,9,false\n")
    monkeypatch.setattr(reference, "FIXTURES_DIR", tmp_path)
    # when it is loaded
    with pytest.raises(ReferenceDataError) as excinfo:
        reference_load()
    # then the error names the file and row, and the whole load is rolled back
    assert "sanctions.csv" in str(excinfo.value)
    assert "Bad Code" in str(excinfo.value)
    assert not Sector.objects.filter(code="mining").exists()
    assert db_counts() == EXPECTED_COUNTS


# --- the loaded rows -------------------------------------------------------------------------------------------------


def test_almaty_department_belongs_to_almaty_city():
    # given the loaded departments
    # when department 75 is read
    department = Department.objects.select_related("region", "parent").get(code="75")
    # then it is the Almaty city department under the central office
    assert department.region.code == "75"
    assert department.region.name_ru == "г. Алматы"
    assert department.region.kind == "city"
    assert department.parent.code == "00"
    assert department.name_ru == "Департамент Агентства по противодействию коррупции по городу Алматы"
    assert department.name_kk == "Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігінің Алматы қаласы бойынша департаменті"


def test_central_office_and_one_department_per_region():
    # given the loaded departments
    central = Department.objects.get(code="00")
    territorial = Department.objects.exclude(code="00")
    # then the central office has no region or parent, and each region has exactly one department with its code
    assert (central.region, central.parent, central.is_central_office) == (None, None, True)
    assert sorted(territorial.values_list("code", flat=True)) == sorted(Region.objects.values_list("code", flat=True))
    assert all(d.region.code == d.code and d.parent_id == central.pk for d in territorial.select_related("region"))


def test_one_akimat_per_region():
    # given the loaded state bodies
    akimats = StateBody.objects.filter(kind="local_executive")
    # then each region has exactly one akimat
    assert sorted(akimats.values_list("region__code", flat=True)) == sorted(
        Region.objects.values_list("code", flat=True)
    )
    assert akimats.get(region__code="75").name_ru == "Акимат города Алматы"
    assert akimats.get(region__code="11").name_ru == "Акимат Акмолинской области"
    assert StateBody.objects.filter(kind="central", region=None).count() == 23
    assert StateBody.objects.filter(kind="quasi_public").count() == 6


def test_astana_keeps_its_former_name():
    region = Region.objects.get(code="71")
    assert (region.name_ru, region.name_kk, region.former_names) == (
        "г. Астана",
        "Астана қаласы",
        "г. Нур-Султан (2019–2022)",
    )


def test_only_dismissal_is_marked_as_dismissal():
    assert list(Sanction.objects.filter(is_dismissal=True).values_list("code", flat=True)) == ["dismissal"]
    assert list(Sanction.objects.values_list("code", "severity")) == [
        ("remark", 1),
        ("reprimand", 2),
        ("severe_reprimand", 3),
        ("incomplete_compliance", 4),
        ("demotion_position", 5),
        ("demotion_rank", 5),
        ("dismissal", 6),
    ]


def test_rehabilitating_flags_match_the_fixture():
    assert sorted(TerminationGround.objects.filter(rehabilitating=True).values_list("code", flat=True)) == [
        "law_repealed",
        "no_complaint",
        "no_corpus_delicti",
        "no_event",
        "not_involved",
        "prior_termination",
        "prior_verdict",
    ]


@pytest.mark.parametrize("model", [Region, Department, StateBody, Article, Sector, TerminationGround, Sanction])
def test_every_row_has_a_kazakh_name(model):
    assert list(model.objects.filter(name_kk="").values_list("pk", flat=True)) == []


def test_fixtures_are_plain_csv_with_a_header():
    # given every fixture file
    for filename in FILES.values():
        with (FIXTURES_DIR / filename).open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        # then its header names the Russian name column
        assert "name_ru" in header, filename


# --- the command -----------------------------------------------------------------------------------------------------


def test_command_prints_one_line_per_table():
    # given loaded data
    out = StringIO()
    # when the command runs with the default verbosity
    call_command("load_reference", stdout=out)
    # then it prints one summary line per table
    lines = out.getvalue().splitlines()
    assert len(lines) == len(EXPECTED_COUNTS)
    assert lines[0].startswith("Регионы")
    assert lines[0].endswith("создано: 0, обновлено: 0, без изменений: 20")


def test_command_is_silent_at_verbosity_zero():
    out = StringIO()
    call_command("load_reference", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_command_update_flag_overwrites_edits():
    # given an edited flag
    TerminationGround.objects.filter(code="amnesty").update(rehabilitating=True)
    out = StringIO()
    # when the command runs with --update
    call_command("load_reference", "--update", stdout=out)
    # then the flag is back to the fixture value and the summary says so
    assert TerminationGround.objects.get(code="amnesty").rehabilitating is False
    assert "Основания прекращения" in out.getvalue()
    assert "создано: 0, обновлено: 1, без изменений: 12" in out.getvalue()


# --- IIN vectors (copied from the reference data, DESIGN.md §8) ------------------------------------------------------

VALID_IINS = ["061211600012", "900101300007", "850515400002", "000330500007", "900101300811"]
INVALID_IINS = [
    ("880101300011", "wrong check digit", "iin_checksum"),
    ("900101300008", "wrong check digit", "iin_checksum"),
    ("901301300007", "month 13 (check digit right)", "iin_date"),
    ("900230300009", "30 February (check digit right)", "iin_date"),
    ("90010130000", "11 digits", "iin_format"),
    ("9001013000071", "13 digits", "iin_format"),
    ("90010130000a", "not a digit", "iin_format"),
]


@pytest.mark.parametrize("iin", VALID_IINS)
def test_valid_iin_passes(iin):
    assert validate_iin(iin) is None


@pytest.mark.parametrize(("iin", "why", "code"), INVALID_IINS, ids=[row[1] + " " + row[0] for row in INVALID_IINS])
def test_invalid_iin_is_rejected(iin, why, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_iin(iin)
    assert excinfo.value.code == code, why
