"""Development that works (issue 13, point 10).

Quoted: "After ./scripts/run, an annual-report PDF never finishes — nothing runs the
background worker — and the port is fixed at 8000. The README's role table does not match
what load_demo prints."
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _readme_logins() -> list[tuple[str, str, str]]:
    """(user, role, organisation) from the demo-login table in the README."""
    text = (ROOT / "README.md").read_text()
    section = text.split("### Demo logins", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[1], cells[2]))
    return rows


@pytest.mark.django_db
def test_readme_role_table_matches_what_load_demo_prints():
    out = io.StringIO()
    call_command("load_demo", allow_demo_data=True, stdout=out)
    printed = []
    for line in out.getvalue().splitlines():
        # "  koordinator    Koordinator           Föreningen Hela Människan i Malmö"
        parts = re.split(r"\s{2,}", line.strip())
        if line.startswith("  ") and len(parts) == 3 and not parts[0].endswith(":"):
            printed.append(tuple(parts))
    from partnerships.demo import DEMO_USERS

    assert len(printed) == len(DEMO_USERS), out.getvalue()
    assert _readme_logins() == printed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _living_commands(process: psutil.Process) -> dict[psutil.Process, str]:
    """The command line of each living descendant of `process`.

    A short-lived child (a forked helper that has just ended) can be a zombie, or gone, by
    the time it is read: it is not one of the long-running processes asked about.
    """
    commands = {}
    for child in process.children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                commands[child] = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return commands


def _ended(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_serve_runs_the_worker_beside_the_server_on_the_chosen_port(tmp_path):
    env = {
        **os.environ,
        "PORT": str(_free_port()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "DEBUG": "true",
    }
    # The worker's table is all this check needs; the public statement page reads no table.
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "django_tasks_database", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    script = subprocess.Popen([str(ROOT / "scripts/serve")], cwd=ROOT, env=env)
    try:
        assert _wait_for(f"http://127.0.0.1:{env['PORT']}/accessibility/", 60) == 200
        commands = _living_commands(psutil.Process(script.pid))
        assert any("db_worker" in c for c in commands.values()), commands
        assert any(f"runserver 127.0.0.1:{env['PORT']}" in c for c in commands.values()), commands
    finally:
        script.send_signal(signal.SIGTERM)
        script.wait(timeout=30)
    # Stopping the script stopped the worker and the server with it. A process that has
    # ended but not yet been reaped by its new parent counts as stopped.
    _gone, alive = psutil.wait_procs(list(commands), timeout=10)
    still_running = [commands[p] for p in alive if not _ended(p)]
    assert not still_running, still_running


def test_a_child_that_has_ended_unreaped_is_skipped_not_an_error():
    # CI once failed here: psutil.ZombieProcess from reading a just-ended child's command.
    ended = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while not _ended(psutil.Process(ended.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert psutil.Process(ended.pid).status() == psutil.STATUS_ZOMBIE
        assert psutil.Process(ended.pid) not in _living_commands(psutil.Process())
    finally:
        ended.wait()
