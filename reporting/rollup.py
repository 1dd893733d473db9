"""Daily totals of contacts and attendance, and step spans, kept by the database itself.

The dashboards count a year's contacts of every partnership a steering group follows by
month and gender: some 600 000 rows for ten partnerships, half a second or more in
PostgreSQL however they are indexed. ContactDay and AttendanceDay (reporting/models.py)
hold the same counts per agreement, day (attendance also per status) and the participant's
gender, and reporting.figures.monthly_activity adds them up by month instead: for ten
partnerships' year some 10 000 rows instead of 600 000, and any period (a year so
far, an agreement starting mid-month) is still a range of whole days.

Triggers keep them up to date in the same transaction as the change, on SQLite as on
PostgreSQL, whoever writes: the participants workflows, the import, the admin,
bulk_create and bulk_update, cascading deletes, raw SQL and COPY, and a participant's
gender being corrected (which moves all their contacts to the other gender). Maintaining
them in Python would miss several of these and add queries to every page that saves a
contact. A decrement never inserts a row, so emptying the tables in any order (as the test
runner's flush does on SQLite) leaves nothing behind; rows that reach zero stay and are
ignored.

The same goes for the step figures: AssessmentSpan holds every step assessment with its
enrolment's first step and the date of the next assessment, recounted per enrolment when
an assessment changes, so that "first and latest step by the end of the period" is a plain
join instead of a window over all assessments of every enrolment (80 ms for ten
partnerships, more every year).

The participant figures (enrolled, new, active at the end, exits by outcome, steps, monthly
flows) count reporting_enrolmentrow: every enrolment as one narrow row with its
participant's gender, so that they read one small table instead of joining every enrolment
of the period to its participant. They count rows, not daily totals: "enrolled" and "new"
count distinct participants, which do not add up across days or partnerships.

TRUNCATE fires no row triggers: after loading data with TRUNCATE and COPY (the benchmarks),
or if the totals are ever in doubt, run `manage.py rebuild_activity_rollup` (`--check` only
compares). Installing the triggers is idempotent and runs after every `migrate`, because
SQLite drops a table's triggers when a migration rebuilds the table.
"""

# Every SQL string below is built from the table and column names in ROLLUPS, never from input.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from django.db import connections, transaction

# (rollup table, source table, the columns counted by besides the day and the gender)
ROLLUPS = (
    ("reporting_contactday", "participants_contact", ()),
    ("reporting_attendanceday", "participants_attendance", ("status",)),
)
PARTICIPANT = "participants_participant"
SPANS = "reporting_assessmentspan"
ASSESSMENT = "participants_progressassessment"
DATE = '"date"'
ENROLMENT = "participants_enrolment"
ROWS = "reporting_enrolmentrow"
# A participant's gender corrected: their enrolments' rows follow (in the gender trigger).
ROWS_GENDER = f"UPDATE {ROWS} SET gender = NEW.gender WHERE participant_id = NEW.id;"
NEW_DATE = "NEW." + DATE
OLD_DATE = "OLD." + DATE


def _by(cols: tuple[str, ...], prefix: str = "") -> str:
    """The columns as the start of a list: "status, " (or "NEW.status, "), or ""."""
    return "".join(f"{prefix}{c}, " for c in cols)


def _key(cols: tuple[str, ...]) -> str:
    return f"agreement_id, day, {_by(cols)}gender"


def _same(cols: tuple[str, ...], left: str, right: str) -> str:
    return "".join(f" AND {left}{c} = {right}{c}" for c in cols)


def _group_by(n: int) -> str:
    return "GROUP BY " + ", ".join(str(i) for i in range(1, n + 1))


def _sqlite_statements(with_rows: bool) -> list[str]:
    sql = []
    for rollup, source, cols in ROLLUPS:
        key = _key(cols)
        add = (
            f"INSERT INTO {rollup} ({key}, total) "
            f"SELECT NEW.agreement_id, {NEW_DATE}, {_by(cols, 'NEW.')}p.gender, 1 "
            f"FROM {PARTICIPANT} p WHERE p.id = NEW.participant_id "
            f"ON CONFLICT ({key}) DO UPDATE SET total = total + 1;"
        )
        remove = (
            f"UPDATE {rollup} SET total = total - 1 "
            f"WHERE agreement_id = OLD.agreement_id "
            f"AND day = {OLD_DATE}{_same(cols, '', 'OLD.')} "
            f"AND gender = (SELECT gender FROM {PARTICIPANT} WHERE id = OLD.participant_id);"
        )
        changed = " OR ".join(
            f"OLD.{c} IS NOT NEW.{c}" for c in ("agreement_id", "participant_id", DATE, *cols)
        )
        sql += [
            f"CREATE TRIGGER IF NOT EXISTS {rollup}_insert AFTER INSERT ON {source} "
            f"BEGIN {add} END",
            f"CREATE TRIGGER IF NOT EXISTS {rollup}_delete AFTER DELETE ON {source} "
            f"BEGIN {remove} END",
            f"CREATE TRIGGER IF NOT EXISTS {rollup}_update AFTER UPDATE ON {source} "
            f"WHEN {changed} BEGIN {remove} {add} END",
        ]
    moves = []
    for rollup, source, cols in ROLLUPS:
        key = _key(cols)
        per_day = (
            f"SELECT agreement_id, {DATE} AS day, {_by(cols)}count(*) AS n "
            f"FROM {source} WHERE participant_id = NEW.id {_group_by(2 + len(cols))}"
        )
        moves += [
            f"UPDATE {rollup} SET total = total - c.n FROM ({per_day}) AS c "
            f"WHERE {rollup}.agreement_id = c.agreement_id AND {rollup}.day = c.day "
            f"{_same(cols, rollup + '.', 'c.')} AND {rollup}.gender = OLD.gender;",
            f"INSERT INTO {rollup} ({key}, total) "
            f"SELECT agreement_id, day, {_by(cols)}NEW.gender, n FROM ({per_day}) WHERE true "
            f"ON CONFLICT ({key}) DO UPDATE SET total = total + excluded.total;",
        ]
    if with_rows:
        moves.append(ROWS_GENDER)
    sql.append(
        f"CREATE TRIGGER IF NOT EXISTS reporting_rollup_gender AFTER UPDATE OF gender "
        f"ON {PARTICIPANT} WHEN OLD.gender IS NOT NEW.gender BEGIN {' '.join(moves)} END"
    )
    return sql


# On PostgreSQL the triggers on contacts, attendance and assessments run once per
# statement, reading the statement's rows from its transition tables (REFERENCING NEW/OLD
# TABLE): an import or bulk_create of 100 000 contacts adds them up in one grouped INSERT
# instead of 100 000 single-row upserts. Transition tables allow one event per trigger,
# hence three triggers per table. The per-row triggers they replace are dropped first.
OLD_ROW_TRIGGERS = [
    *((f"{rollup}_sync", source) for rollup, source, _c in ROLLUPS),
    *((f"{rollup}_sync_update", source) for rollup, source, _c in ROLLUPS),
    (f"{SPANS}_sync", ASSESSMENT),
    (f"{SPANS}_sync_update", ASSESSMENT),
]
OLD_ROW_FUNCTIONS = [*(f"{rollup}_sync" for rollup, _s, _c in ROLLUPS), f"{SPANS}_sync"]
EVENTS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _drop_old_row_triggers() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {t} ON {table}" for t, table in OLD_ROW_TRIGGERS] + [
        f"DROP FUNCTION IF EXISTS {f}()" for f in OLD_ROW_FUNCTIONS
    ]


def _statement_triggers(table: str, function: str, source: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER {table}_rows_{event} AFTER {event.upper()} ON {source} "
        f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for event, referencing in EVENTS.items()
    ]


def _changed_rows(rows: str, columns: tuple[str, ...]) -> str:
    """The rows of transition table `rows` (old_rows or new_rows) of an UPDATE whose
    `columns` changed: an UPDATE of anything else leaves the roll-up alone."""
    other = "new_rows" if rows == "old_rows" else "old_rows"
    old = ", ".join(f"x.{c}" for c in columns)
    new = ", ".join(f"y.{c}" for c in columns)
    return (
        f"(SELECT x.* FROM {rows} x JOIN {other} y ON y.id = x.id "
        f"WHERE ({old}) IS DISTINCT FROM ({new}))"
    )


def _pg_per_day(rows: str, cols: tuple[str, ...]) -> str:
    return (
        f"SELECT s.agreement_id, s.{DATE} AS day, {_by(cols, 's.')}p.gender, count(*) AS n "
        f"FROM {rows} s JOIN {PARTICIPANT} p ON p.id = s.participant_id "
        f"{_group_by(3 + len(cols))}"
    )


def _pg_remove(rollup: str, cols: tuple[str, ...], rows: str) -> str:
    return (
        f"UPDATE {rollup} r SET total = r.total - c.n FROM ({_pg_per_day(rows, cols)}) c "
        f"WHERE r.agreement_id = c.agreement_id AND r.day = c.day"
        f"{_same(cols, 'r.', 'c.')} AND r.gender = c.gender;"
    )


def _pg_add(rollup: str, cols: tuple[str, ...], rows: str) -> str:
    # Ordered by the key, so that concurrent writers lock the rollup's rows in one order.
    key = _key(cols)
    order = ", ".join(str(i) for i in range(1, 4 + len(cols)))
    return (
        f"INSERT INTO {rollup} AS r ({key}, total) "
        f"SELECT * FROM ({_pg_per_day(rows, cols)}) c ORDER BY {order} "
        f"ON CONFLICT ({key}) DO UPDATE SET total = r.total + EXCLUDED.total;"
    )


def _postgresql_statements(with_rows: bool) -> list[str]:
    sql = _drop_old_row_triggers()
    for rollup, source, cols in ROLLUPS:
        watched = ("agreement_id", "participant_id", DATE, *cols)
        sql += [
            f"""CREATE OR REPLACE FUNCTION {rollup}_sync_rows() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {_pg_add(rollup, cols, "new_rows")}
                ELSIF TG_OP = 'DELETE' THEN
                    {_pg_remove(rollup, cols, "old_rows")}
                ELSE
                    {_pg_remove(rollup, cols, _changed_rows("old_rows", watched))}
                    {_pg_add(rollup, cols, _changed_rows("new_rows", watched))}
                END IF;
                RETURN NULL;
            END $$""",
            *_statement_triggers(rollup, f"{rollup}_sync_rows", source),
        ]
    moves = []
    for rollup, source, cols in ROLLUPS:
        key = _key(cols)
        per_day = (
            f"SELECT agreement_id, {DATE} AS day, {_by(cols)}count(*) AS n "
            f"FROM {source} WHERE participant_id = NEW.id {_group_by(2 + len(cols))}"
        )
        moves += [
            f"UPDATE {rollup} r SET total = r.total - c.n FROM ({per_day}) c "
            f"WHERE r.agreement_id = c.agreement_id AND r.day = c.day "
            f"{_same(cols, 'r.', 'c.')} AND r.gender = OLD.gender;",
            f"INSERT INTO {rollup} ({key}, total) "
            f"SELECT agreement_id, day, {_by(cols)}NEW.gender, n FROM ({per_day}) c "
            f"ON CONFLICT ({key}) DO UPDATE SET total = {rollup}.total + EXCLUDED.total;",
        ]
    if with_rows:
        moves.append(ROWS_GENDER)
    sql += [
        f"""CREATE OR REPLACE FUNCTION reporting_rollup_gender() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {" ".join(moves)}
            RETURN NULL;
        END $$""",
        f"CREATE OR REPLACE TRIGGER reporting_rollup_gender AFTER UPDATE OF gender "
        f"ON {PARTICIPANT} FOR EACH ROW WHEN (OLD.gender IS DISTINCT FROM NEW.gender) "
        f"EXECUTE FUNCTION reporting_rollup_gender()",
    ]
    return sql


# --------------------------------------------------------------------------- step spans
# Every assessment with its enrolment's first step and the date of the enrolment's next
# assessment: on the days from its date up to (not including) next_date it is the latest
# step. So "the latest step by `end`" is the one span with date <= end < next_date (or no
# next), and its first_step is the first step by `end` too (the first assessment is dated
# no later). Recounted per enrolment, by date and then id, whenever an assessment changes.


def _span_select(where: str) -> str:
    return (
        f"SELECT id, enrolment_id, {DATE}, step, "
        f"first_value(step) OVER w, lead({DATE}) OVER w FROM {ASSESSMENT} WHERE {where} "
        f"WINDOW w AS (PARTITION BY enrolment_id ORDER BY {DATE}, id)"
    )


SPAN_COLUMNS = f"assessment_id, enrolment_id, {DATE}, step, first_step, next_date"
SPAN_CHANGED = ("enrolment_id", DATE, "step")


def _rows_latest_step(ids: str) -> str:
    """Copy the latest span (the one with no next assessment) of enrolments `ids` (an SQL
    condition on enrolment_id) to their rows; NULL for an enrolment not assessed."""
    return (
        f"UPDATE {ROWS} SET ({', '.join(ROW_STEPS)}) = (SELECT s.first_step, s.step, s.{DATE} "
        f"FROM {SPANS} s WHERE s.enrolment_id = {ROWS}.enrolment_id AND s.next_date IS NULL) "
        f"WHERE enrolment_id {ids};"
    )


def _sqlite_span_statements(with_rows: bool) -> list[str]:
    def redo(ids: str) -> str:
        return (
            f"DELETE FROM {SPANS} WHERE enrolment_id IN ({ids}); "
            f"INSERT INTO {SPANS} ({SPAN_COLUMNS}) {_span_select(f'enrolment_id IN ({ids})')};"
            + (_rows_latest_step(f"IN ({ids})") if with_rows else "")
        )

    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SPAN_CHANGED)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {SPANS}_insert AFTER INSERT ON {ASSESSMENT} "
        f"BEGIN {redo('NEW.enrolment_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {SPANS}_delete AFTER DELETE ON {ASSESSMENT} "
        f"BEGIN {redo('OLD.enrolment_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {SPANS}_update AFTER UPDATE ON {ASSESSMENT} "
        f"WHEN {changed} BEGIN {redo('OLD.enrolment_id, NEW.enrolment_id')} END",
    ]


def _postgresql_span_statements(with_rows: bool) -> list[str]:
    changed_old = _changed_rows("old_rows", SPAN_CHANGED)
    changed_new = _changed_rows("new_rows", SPAN_CHANGED)
    return [
        f"""CREATE OR REPLACE FUNCTION {SPANS}_sync_rows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            ids bigint[];
        BEGIN
            IF TG_OP = 'INSERT' THEN
                ids := ARRAY(SELECT DISTINCT enrolment_id FROM new_rows);
            ELSIF TG_OP = 'DELETE' THEN
                ids := ARRAY(SELECT DISTINCT enrolment_id FROM old_rows);
            ELSE
                ids := ARRAY(SELECT enrolment_id FROM {changed_old} o
                             UNION SELECT enrolment_id FROM {changed_new} n);
            END IF;
            IF cardinality(ids) = 0 THEN
                RETURN NULL;
            END IF;
            -- One recount per enrolment at a time: concurrent ones would miss each
            -- other's assessment. Locked in id order, so that two bulk writers do not
            -- deadlock.
            PERFORM 1 FROM participants_enrolment WHERE id = ANY(ids) ORDER BY id
                FOR NO KEY UPDATE;
            DELETE FROM {SPANS} WHERE enrolment_id = ANY(ids);
            INSERT INTO {SPANS} ({SPAN_COLUMNS}) {_span_select("enrolment_id = ANY(ids)")};
            {_rows_latest_step("= ANY(ids)") if with_rows else ""}
            RETURN NULL;
        END $$""",
        *_statement_triggers(SPANS, f"{SPANS}_sync_rows", ASSESSMENT),
    ]


def _span_differences(cursor: Any) -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT {SPAN_COLUMNS} FROM {SPANS}")
    stored = {row[0]: tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}
    cursor.execute(_span_select("true"))
    counted = {row[0]: tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}
    return [
        (SPANS, key, stored.get(key), counted.get(key))
        for key in sorted(stored.keys() | counted.keys())
        if stored.get(key) != counted.get(key)
    ]


# --------------------------------------------------------------------------- enrolment rows
# Every enrolment as one narrow row with its participant's gender (reporting_enrolmentrow):
# the participant figures (reporting.figures.participants) count these instead of joining
# every enrolment of the period to its participant. Written whenever an enrolment is
# inserted, changed in a counted column or deleted, and when a participant's gender is
# corrected (ROWS_GENDER, in the gender trigger above).

ROW_FIELDS = (
    "agreement_id",
    "participant_id",
    "start_date",
    "exit_date",
    "exit_outcome",
    "income_at_start",
    "income_at_exit",
)
# The enrolment's first step and its latest step with the latest assessment's date, from
# the step span with no next assessment: the latest step by the end of any period that ends
# on or after that date (reporting.figures.participants._rows_with_first_and_last_step).
ROW_STEPS = ("first_assessed_step", "latest_step", "latest_date")
ROW_COLUMNS = f"enrolment_id, {', '.join(ROW_FIELDS)}, gender, {', '.join(ROW_STEPS)}"


def _row_select(rows: str, where: str = "true") -> str:
    """The rows of the enrolments in `rows` (a table or transition table), as inserted."""
    return (
        f"SELECT e.id, {', '.join('e.' + f for f in ROW_FIELDS)}, p.gender, "
        f"s.first_step, s.step, s.{DATE} "
        f"FROM {rows} e JOIN {PARTICIPANT} p ON p.id = e.participant_id "
        f"LEFT JOIN {SPANS} s ON s.enrolment_id = e.id AND s.next_date IS NULL WHERE {where}"
    )


def _row_upsert(select: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*ROW_FIELDS, "gender", *ROW_STEPS))
    return (
        f"INSERT INTO {ROWS} ({ROW_COLUMNS}) {select} "
        f"ON CONFLICT (enrolment_id) DO UPDATE SET {updates};"
    )


def _sqlite_row_statements() -> list[str]:
    new = f"{_row_select(ENROLMENT, 'e.id = NEW.id')}"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("id", *ROW_FIELDS))
    remove = f"DELETE FROM {ROWS} WHERE enrolment_id = OLD.id;"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {ROWS}_insert AFTER INSERT ON {ENROLMENT} "
        f"BEGIN {_row_upsert(new)} END",
        f"CREATE TRIGGER IF NOT EXISTS {ROWS}_delete AFTER DELETE ON {ENROLMENT} "
        f"BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {ROWS}_update AFTER UPDATE ON {ENROLMENT} "
        f"WHEN {changed} BEGIN {remove} {_row_upsert(new)} END",
    ]


def _postgresql_row_statements() -> list[str]:
    # An update of anything else (the caseworker, the phase, the revision) is skipped by
    # _changed_rows; an enrolment's id never changes.
    changed = _changed_rows("new_rows", ROW_FIELDS)
    return [
        f"""CREATE OR REPLACE FUNCTION {ROWS}_sync_rows() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_row_upsert(_row_select("new_rows") + " ORDER BY 1")}
            ELSIF TG_OP = 'DELETE' THEN
                DELETE FROM {ROWS} r USING old_rows o WHERE r.enrolment_id = o.id;
            ELSE
                {_row_upsert(_row_select(changed) + " ORDER BY 1")}
            END IF;
            RETURN NULL;
        END $$""",
        *_statement_triggers(ROWS, f"{ROWS}_sync_rows", ENROLMENT),
    ]


def _row_differences(cursor: Any) -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT {ROW_COLUMNS} FROM {ROWS}")
    stored = {row[0]: tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}
    cursor.execute(_row_select(ENROLMENT))
    counted = {row[0]: tuple(str(v) for v in row[1:]) for row in cursor.fetchall()}
    return [
        (ROWS, key, stored.get(key), counted.get(key))
        for key in sorted(stored.keys() | counted.keys())
        if stored.get(key) != counted.get(key)
    ]


def rebuild_enrolment_rows(using: str = "default") -> int:
    """Write the enrolment rows afresh from the enrolments; returns their number."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {PARTICIPANT}, {ENROLMENT} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {ROWS}")
        cursor.execute(f"INSERT INTO {ROWS} ({ROW_COLUMNS}) {_row_select(ENROLMENT)}")
        written = cursor.rowcount
        if connection.vendor == "postgresql":
            # Statistics at once, so that the first figures are not planned for an empty table.
            cursor.execute(f"ANALYZE {ROWS}")
        return written


def _has_rows_table(connection: Any) -> bool:
    # Migrations before the one that creates the table install the other triggers only.
    return ROWS in connection.introspection.table_names()


def install_triggers(using: str = "default") -> None:
    """Create (or replace) the triggers; safe to run any number of times."""
    connection = connections[using]
    with_rows = _has_rows_table(connection)
    if connection.vendor == "postgresql":
        statements = _postgresql_statements(with_rows) + _postgresql_span_statements(with_rows)
        statements += _postgresql_row_statements() if with_rows else []
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements(with_rows) + _sqlite_span_statements(with_rows)
        statements += _sqlite_row_statements() if with_rows else []
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _drop_old_row_triggers():
                cursor.execute(statement)
            for table, source in (
                *((r, s) for r, s, _c in ROLLUPS),
                (SPANS, ASSESSMENT),
                (ROWS, ENROLMENT),
            ):
                for event in EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_rows_{event} ON {source}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_sync_rows()")
            cursor.execute(f"DROP TRIGGER IF EXISTS reporting_rollup_gender ON {PARTICIPANT}")
            cursor.execute("DROP FUNCTION IF EXISTS reporting_rollup_gender()")
        else:
            for table in (*(r for r, _s, _c in ROLLUPS), SPANS, ROWS):
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{event}")
            cursor.execute("DROP TRIGGER IF EXISTS reporting_rollup_gender")


def _recount(source: str, cols: tuple[str, ...]) -> str:
    """SELECT of the rollup's rows counted afresh from the source table."""
    return (
        f"SELECT s.agreement_id, s.{DATE} AS day, {_by(cols, 's.')}p.gender, "
        f"count(*) AS total FROM {source} s JOIN {PARTICIPANT} p ON p.id = s.participant_id "
        f"{_group_by(3 + len(cols))}"
    )


def rebuild(using: str = "default") -> dict[str, int]:
    """Count the totals afresh from contacts and attendance, the step spans from the
    assessments and the enrolment rows from the enrolments; returns rows per table."""
    connection = connections[using]
    rows = {}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Hold writers off while counting, so that no change falls between the count
            # and the triggers.
            tables = ", ".join([PARTICIPANT, ENROLMENT, ASSESSMENT, *(s for _r, s, _c in ROLLUPS)])
            cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
        for rollup, source, cols in ROLLUPS:
            cursor.execute(f"DELETE FROM {rollup}")
            cursor.execute(f"INSERT INTO {rollup} ({_key(cols)}, total) {_recount(source, cols)}")
            rows[rollup] = cursor.rowcount
        cursor.execute(f"DELETE FROM {SPANS}")
        cursor.execute(f"INSERT INTO {SPANS} ({SPAN_COLUMNS}) {_span_select('true')}")
        rows[SPANS] = cursor.rowcount
        if _has_rows_table(connection):  # not in the migrations before it was made
            rows[ROWS] = rebuild_enrolment_rows(using)
    return rows


def differences(using: str = "default") -> list[tuple[Any, ...]]:
    """Rows where the stored totals differ from a fresh count: (table, agreement id, day,
    kind or status, gender, stored, counted), and step spans and enrolment rows that
    differ: (table, assessment or enrolment id, stored, counted). Empty when everything
    is right."""
    connection = connections[using]
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for rollup, source, cols in ROLLUPS:
            cursor.execute(f"SELECT {_key(cols)}, total FROM {rollup} WHERE total <> 0")
            stored = {tuple(str(v) for v in row[:-1]): row[-1] for row in cursor.fetchall()}
            cursor.execute(_recount(source, cols))
            counted = {tuple(str(v) for v in row[:-1]): row[-1] for row in cursor.fetchall()}
            for key in sorted(stored.keys() | counted.keys()):
                if stored.get(key, 0) != counted.get(key, 0):
                    found.append((rollup, *key, stored.get(key, 0), counted.get(key, 0)))
        found += _span_differences(cursor)
        if _has_rows_table(connection):
            found += _row_differences(cursor)
    return found


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: (re)install the triggers once the tables exist."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    needed = {
        PARTICIPANT,
        ASSESSMENT,
        SPANS,
        ENROLMENT,
        *(r for r, _s, _c in ROLLUPS),
        *(s for _r, s, _c in ROLLUPS),
    }
    if needed <= tables:
        install_triggers(using)
