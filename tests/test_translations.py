"""The English catalogue is complete, and the committed .mo matches the .po.

The .mo is committed so that installs need no GNU gettext; these tests catch a .po
that was updated (makemessages) or translated without running compilemessages, and
entries left empty or fuzzy (gettext skips both, so the page would fall back to Swedish).
Plain Python: no gettext tools or extra packages needed.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def key(self, index: int = 0):
        """The key gettext.GNUTranslations uses in its catalogue."""
        msgid = self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"
        return (msgid, index) if self.msgid_plural is not None else msgid


def _unquote(text: str) -> str:
    # PO strings use C escapes (\n, \t, \", \\), which a Python string literal reads the same.
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def start(lineno: int) -> Entry:
        nonlocal current
        if current is None:
            current = Entry(line=lineno)
            entries.append(current)
        return current

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):  # obsolete entry: not part of the catalogue
            continue
        if line.startswith("#,"):
            start(lineno).flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            start(lineno)
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{lineno}: continuation line without a keyword"
            entry, (name, index) = start(lineno), target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        assert match, f"{path}:{lineno}: cannot read {raw!r}"
        name, index, value = match.group(1), int(match.group(2) or 0), _unquote(match.group(3))
        entry = start(lineno)
        if name == "msgstr":
            entry.msgstr[index] = value
        else:
            setattr(entry, name, value)
        target = (name, index)
    return entries


def nplurals(entries: list[Entry]) -> int:
    header = next(entry for entry in entries if entry.is_header)
    match = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, ""))
    return int(match.group(1)) if match else 2


@pytest.fixture(params=CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def po_path(request) -> Path:
    return request.param


def test_there_is_an_english_catalogue():
    assert LOCALE / "en" / "LC_MESSAGES" / "django.po" in CATALOGUES


def test_every_entry_is_translated(po_path):
    entries = parse_po(po_path)
    plurals = nplurals(entries)
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        expected = range(plurals) if entry.msgid_plural is not None else range(1)
        if entry.fuzzy:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        elif any(not entry.msgstr.get(i) for i in expected):
            problems.append(f"line {entry.line}: not translated: {entry.msgid!r}")
    assert not problems, f"{po_path}:\n" + "\n".join(problems)


def test_placeholders_are_kept(po_path):
    problems = []
    for entry in parse_po(po_path):
        if entry.is_header or "python-format" not in entry.flags:
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for index, translation in entry.msgstr.items():
            if translation and set(PLACEHOLDER.findall(translation)) - wanted:
                problems.append(f"line {entry.line} msgstr[{index}]: {translation!r}")
            if (
                translation
                and entry.msgid_plural is None
                and set(PLACEHOLDER.findall(translation)) != wanted
            ):
                problems.append(f"line {entry.line}: {entry.msgid!r} -> {translation!r}")
    assert not problems, f"{po_path}:\n" + "\n".join(problems)


def test_compiled_catalogue_matches_the_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run manage.py compilemessages and commit it"
    with mo_path.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)

    expected = {}
    for entry in parse_po(po_path):
        if entry.is_header or entry.fuzzy or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out
        if entry.msgid_plural is None:
            expected[entry.key()] = entry.msgstr[0]
        else:
            for index, translation in entry.msgstr.items():
                expected[entry.key(index)] = translation
    compiled.pop("", None)  # the header

    missing = sorted(str(key) for key in expected.keys() - compiled.keys())
    stale = sorted(str(key) for key in compiled.keys() - expected.keys())
    changed = sorted(
        str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key]
    )
    assert not (missing or stale or changed), (
        f"{mo_path.name} is out of date with {po_path.name}; run "
        "`manage.py compilemessages -l en --ignore=.venv` and commit the .mo.\n"
        f"missing: {missing[:10]}\nno longer in the .po: {stale[:10]}\ndifferent: {changed[:10]}"
    )
