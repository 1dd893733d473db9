"""Issue 18, deliverable 9: a dependency check that works offline.

No vulnerability database installs without network, so the lock files are held against
stated minimums (dependency-minimums.txt) by this test, `manage.py check_dependencies`
and CI; the README says how to refresh the minimums where there is network."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from packaging.version import Version

from iop.dependencies import MINIMUMS_FILE, check_lock_files, read_minimums

ROOT = Path(__file__).resolve().parent.parent


def test_every_pinned_package_reaches_its_minimum():
    problems = check_lock_files()
    assert not problems, "\n".join(str(p) for p in problems)


def test_the_stated_minimums_include_weasyprint_70_and_the_current_django_5_2():
    minimums = read_minimums(MINIMUMS_FILE.read_text())
    assert minimums["weasyprint"].version >= Version("70")
    assert Version("5.2.19") <= minimums["django"].version < Version("5.3")
    assert all(m.advisory for m in minimums.values())


@pytest.mark.parametrize(
    ("pin", "package"),
    [("weasyprint==69.0", "weasyprint"), ("Django==5.2.18", "django"), ("jinja2==3.1.5", "jinja2")],
)
def test_a_lock_file_with_an_older_pin_fails(tmp_path, pin, package):
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"# a comment\n{pin}\n    # via something\npackaging==26.3\n")
    problems = check_lock_files([lock])
    assert [p.package for p in problems] == [package]
    assert "older than" in str(problems[0])


def test_a_lock_file_at_or_above_the_minimums_passes(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("weasyprint==70.0\ndjango==5.2.19 \\\n    --hash=sha256:abc\n")
    assert check_lock_files([lock]) == []


def test_the_command_fails_on_an_old_pin(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("weasyprint==68.1\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_dependencies", "--lock", str(lock), stdout=io.StringIO(), stderr=err)
    assert "weasyprint==68.1 is older than 70.0" in err.getvalue()


def test_the_readme_has_the_procedure_and_ci_runs_the_check():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Dependency check", 1)[1].split("\n## ", 1)[0]
    assert "pip-audit" in section
    assert "dependency-minimums.txt" in section
    assert "manage.py check_dependencies" in (ROOT / ".ci" / "run").read_text()
