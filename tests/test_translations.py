"""Russian is the source language; the Kazakh and English catalogues must translate every string in the code."""

from __future__ import annotations

import shutil
import subprocess
import sys

import polib
import pytest

from tests.utils import ROOT, child_env

LANGUAGES = ["kk", "en"]
SOURCES = ["anticor", "cases", "projects", "integrity", "templates", "manage.py"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    po = catalogue(language)
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    translated = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in po.translated_entries()
    }
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    compiled.pop((None, ""), None)  # the header
    assert compiled == translated, "run `make messages` to recompile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is needed to extract strings")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path, language):
    # Extract the strings afresh from a copy of the sources and compare with the committed catalogue.
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        else:
            shutil.copy(source, target)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    (tmp_path / "locale" / language / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", language, "--no-location", "--verbosity", "0"],
        cwd=tmp_path,
        env=child_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = polib.pofile(str(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in catalogue(language).translated_entries()}
    missing = sorted(e.msgid for e in extracted if (e.msgctxt, e.msgid) not in committed and not e.obsolete)
    assert missing == []
