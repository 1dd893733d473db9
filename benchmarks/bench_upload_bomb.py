"""How long an anonymous `GET /login/` takes while signed-in users upload the XLSX
shared-string bomb (2 000 000 one-letter strings, 87 KB packed, 34 MB unpacked).

Runs the app of a given checkout under gunicorn (two sync workers, 30 s worker timeout,
as in the finding of issue 18) on a throw-away SQLite database, signs in an administrator
(password and authenticator code), sends two bomb uploads at once and times `GET /login/`
while they are in flight. Run it against the old and the new code:

    .venv/bin/python benchmarks/bench_upload_bomb.py                  # this checkout
    .venv/bin/python benchmarks/bench_upload_bomb.py --code /path/to/old/checkout

Prints the figures; needs nothing but the lock files' packages (requests via locust).
"""

from __future__ import annotations

import argparse
import base64
import hmac
import os
import re
import secrets
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.upload_bombs import shared_string_bomb  # noqa: E402

PASSWORD = "bomb-bench-lösenord-2026"
PREPARE = f"""
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from iop.demo import demo_totp_key
from partnerships.models import User
user, _ = User.objects.get_or_create(username="bench-admin")
user.set_password({PASSWORD!r})
user.save()
group, _ = Group.objects.get_or_create(name="admin")
user.groups.set([group])
TOTPDevice.objects.filter(user=user).delete()
TOTPDevice.objects.create(user=user, name="bench", key=demo_totp_key(), confirmed=True)
"""


def totp_code(secret_b32: str = "IOPDEMOIOPDEMOIOPDEMOIOPDEMOIOPD") -> str:
    """The current code for the published demo key (RFC 6238, as in loadtest.py)."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret_b32), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(code: Path, env: dict[str, str]) -> None:
    python = str(code / ".venv/bin/python")
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=code, env=env, check=True
    )
    subprocess.run([python, "manage.py", "shell", "-c", PREPARE], cwd=code, env=env, check=True)


def start(code: Path, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(code / ".venv/bin/gunicorn"), "iop.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--timeout", "30", "--log-level", "warning"],
        cwd=code,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _i in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


def _csrf(session: requests.Session, page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else ""


def sign_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/").text
    session.post(
        f"{base}/login/",
        {
            "username": "bench-admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(session, page),
        },
    )
    page = session.get(f"{base}/security/verify/").text
    session.post(
        f"{base}/security/verify/",
        {"code": totp_code(), "csrfmiddlewaretoken": _csrf(session, page)},
    )
    if (
        "bench-admin" not in session.get(f"{base}/io/").text
        and session.get(f"{base}/io/").status_code != 200
    ):
        raise SystemExit("could not sign in")
    return session


def time_login(base: str) -> float:
    started = time.monotonic()
    requests.get(f"{base}/login/", timeout=300)
    return time.monotonic() - started


def run(code: Path, uploads: int) -> None:
    bomb = shared_string_bomb(2_000_000)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "MEDIA_ROOT": f"{folder}/media",
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        prepare(code, env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(code, env, port, Path(folder) / "gunicorn.log")
        try:
            quiet = [time_login(base) for _i in range(5)]
            results: list[tuple[int, float]] = []

            signed_in = sign_in(base)  # once: a TOTP code is good for one sign-in only
            url = f"{base}/io/organisations/import/"
            token = _csrf(signed_in, signed_in.get(url).text)

            def send() -> None:
                session = requests.Session()
                session.cookies.update(signed_in.cookies)
                started = time.monotonic()
                try:
                    response = session.post(
                        url,
                        data={"csrfmiddlewaretoken": token},
                        files={"file": ("bomb.xlsx", bomb)},
                        timeout=300,
                    )
                    results.append((response.status_code, time.monotonic() - started))
                except requests.RequestException:
                    results.append((0, time.monotonic() - started))

            senders = [threading.Thread(target=send) for _i in range(uploads)]
            for sender in senders:
                sender.start()
            time.sleep(0.3)  # the uploads are in the workers
            during = [time_login(base)]
            while any(sender.is_alive() for sender in senders):
                during.append(time_login(base))
            for sender in senders:
                sender.join()
            after = time_login(base)
        finally:
            server.terminate()
            server.wait(10)
    print(f"code: {code}")
    print(f"bomb: {len(bomb):,} bytes packed, {uploads} concurrent uploads")
    print(f"GET /login/ quiet (median of 5): {statistics.median(quiet) * 1000:.0f} ms")
    print(
        f"GET /login/ during the bomb uploads: first {during[0] * 1000:.0f} ms, "
        f"slowest {max(during) * 1000:.0f} ms ({len(during)} requests)"
    )
    print(f"GET /login/ after: {after * 1000:.0f} ms")
    for status, seconds in results:
        print(f"bomb upload answered {status or 'no answer'} after {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout to run (default: this one)"
    )
    parser.add_argument("--uploads", type=int, default=2)
    arguments = parser.parse_args()
    run(arguments.code.resolve(), arguments.uploads)
