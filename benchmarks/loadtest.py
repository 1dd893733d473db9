"""Load test: 50 simulated users for a fixed time against gunicorn + PostgreSQL on loopback.

Three journeys, each user signing in with password and second factor first:

* coordinators log contacts (list of participants → contact form → save),
* finance opens the invoice basis of the partnerships they see,
* the steering group opens the dashboards (overview → one partnership).

    .venv/bin/python benchmarks/loadtest.py [--users 50] [--duration 60] [--db iop_loadtest]

The script (1) migrates its own PostgreSQL database on 127.0.0.1 and loads the demo data,
(2) adds one sign-in per simulated user, with an authenticator on the published demo key,
(3) collects static files and starts gunicorn on 127.0.0.1 with DEBUG off, (4) runs locust
in-process and prints throughput, p50/p95/p99 per page and the errors, then stops
gunicorn. Everything stays on the loopback interface; nothing else is contacted.

Production sits behind a TLS proxy that sets X-Forwarded-Proto; here gunicorn itself
speaks TLS on loopback with a throw-away self-signed certificate, and the client sends
the header the proxy would.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOAD_PASSWORD = "last-test-lösenord-2026"
# The published demo key (iop/demo.py); the load users' authenticators use it too.
DEMO_TOTP_SECRET = "IOPDEMOIOPDEMOIOPDEMOIOPDEMOIOPD"
ROLES = {
    # role: (organisation key in the demo data, username prefix)
    "coordinator": ("helamanniskan", "last-koordinator"),
    "finance": ("bilda", "last-ekonom"),
    "steering": ("malmo", "last-styrgrupp"),
}

PREPARE_USERS = """
import sys
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from iop.demo import demo_totp_key
from partnerships.models import Organisation, User
from partnerships.demo import DEMO_USERS

count = int(sys.argv[1])
orgs = {{key: User.objects.get(username=u).organisation for u, _f, _l, key, _r in DEMO_USERS if key}}
specs = {ROLES!r}
for role, (org_key, prefix) in specs.items():
    for i in range(count):
        user, _ = User.objects.get_or_create(username=f"{{prefix}}-{{i}}")
        user.organisation = orgs[org_key]
        user.set_password({password!r})
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="last", key=demo_totp_key(), confirmed=True)
print("users ready")
"""


def _env(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def prepare(db: str, users_per_role: int, env: dict[str, str]) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f'CREATE DATABASE "{db}"'],
        capture_output=True,
    )
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "load_demo", "--allow-demo-data"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    code = PREPARE_USERS.format(ROLES=ROLES, password=LOAD_PASSWORD)
    subprocess.run(
        [*manage, "shell", "-c", f"import sys; sys.argv = ['', '{users_per_role}']\n{code}"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def self_signed_certificate(folder: str) -> tuple[str, str]:
    cert, key = f"{folder}/cert.pem", f"{folder}/key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
    )
    return cert, key


def start_gunicorn(
    port: int, env: dict[str, str], tls: tuple[str, str], log_path: str
) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "iop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--certfile",
            tls[0],
            "--keyfile",
            tls[1],
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _i in range(100):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (is 127.0.0.1:{port} taken?)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def totp_code(secret_b32: str = DEMO_TOTP_SECRET) -> str:
    """The current six-digit code (RFC 6238, 30-second steps, SHA-1) for a base32 secret."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret_b32), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def build_user_classes(port: int):
    from locust import HttpUser, between, task

    counters = dict.fromkeys(ROLES, 0)
    origin = f"https://127.0.0.1:{port}"

    class IopUser(HttpUser):
        abstract = True
        host = f"https://127.0.0.1:{port}"
        wait_time = between(0.5, 1.5)
        role = ""

        def on_start(self) -> None:
            self.client.verify = False  # our own throw-away certificate
            self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
            number = counters[self.role]
            counters[self.role] += 1
            username = f"{ROLES[self.role][1]}-{number}"
            self.client.get("/login/", name="sign-in page")
            self.client.post(
                "/login/",
                {"username": username, "password": LOAD_PASSWORD, **self._csrf()},
                name="sign-in password",
            )
            page = self.client.get("/security/verify/", name="sign-in code page")
            if "id_code" not in page.text:
                raise RuntimeError(f"{username}: no code prompt after the password")
            self.client.post(
                "/security/verify/", {"code": totp_code(), **self._csrf()}, name="sign-in code"
            )
            self.discover()

        def _csrf(self) -> dict[str, str]:
            # Production names the cookie "__Host-csrftoken".
            token = next((c.value for c in self.client.cookies if c.name.endswith("csrftoken")), "")
            return {"csrfmiddlewaretoken": token}

        def discover(self) -> None:
            pass

        def ids(self, url: str, pattern: str, name: str) -> list[str]:
            page = self.client.get(url, name=name)
            return sorted(set(re.findall(pattern, page.text)))

    class Coordinator(IopUser):
        role = "coordinator"
        weight = 20

        def discover(self) -> None:
            self.enrolments = self.ids(
                "/participants/", r"/participants/enrolments/(\d+)/contacts/new/", "participants"
            )

        @task
        def log_contact(self) -> None:
            self.client.get("/participants/", name="participants")
            if not self.enrolments:
                return
            enrolment = self.enrolments[int(time.time() * 1000) % len(self.enrolments)]
            url = f"/participants/enrolments/{enrolment}/contacts/new/"
            self.client.get(url, name="contact form")
            with self.client.post(
                url,
                {
                    "date": time.strftime("%Y-%m-%d"),
                    "kind": "phone",
                    "duration_minutes": "15",
                    "topic": "Uppföljning",
                    "note": "",
                    **self._csrf(),
                },
                name="contact save",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"contact not saved: {response.status_code}")

    class Finance(IopUser):
        role = "finance"
        weight = 15

        def discover(self) -> None:
            # (agreement, year) pairs that have an invoice basis, from each reporting page.
            self.bases: list[tuple[str, str]] = []
            for agreement in self.ids("/agreements/", r"/agreements/(\d+)/\"", "agreements"):
                years = self.ids(
                    f"/reporting/agreements/{agreement}/",
                    rf"/reporting/agreements/{agreement}/invoice/(\d{{4}})/",
                    "reporting",
                )
                self.bases += [(agreement, year) for year in years]

        def _get(self, url: str, name: str, content_type: str) -> None:
            with self.client.get(
                url, name=name, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200 or content_type not in response.headers.get(
                    "Content-Type", ""
                ):
                    response.failure(f"{response.status_code} {response.headers.get('Location')}")

        @task(4)
        def invoice_basis(self) -> None:
            for agreement, year in self.bases:
                url = f"/reporting/agreements/{agreement}/invoice/{year}/"
                self._get(url, "invoice basis", "text/html")

        @task(1)
        def invoice_basis_pdf(self) -> None:
            # The draft PDF is rendered while the user waits (WeasyPrint); not a "page".
            if self.bases:
                agreement, year = self.bases[-1]
                url = f"/reporting/agreements/{agreement}/invoice/{year}/draft.pdf"
                self._get(url, "PDF invoice basis draft", "application/pdf")

    class Steering(IopUser):
        role = "steering"
        weight = 15

        def discover(self) -> None:
            self.agreements = self.ids("/dashboards/", r"/dashboards/(\d+)/[?\"]", "dashboards")

        @task
        def dashboards(self) -> None:
            self.client.get("/dashboards/", name="dashboards")
            for agreement in self.agreements[:2]:
                self.client.get(f"/dashboards/{agreement}/", name="dashboard")

    return [Coordinator, Finance, Steering]


def run_locust(port: int, users: int, duration: int) -> None:
    import warnings  # noqa: I001 - locust must come before urllib3: it patches ssl for gevent

    import gevent
    from locust.env import Environment
    import urllib3

    # The certificate is our own throw-away one; don't warn about it on every request.
    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)

    env = Environment(user_classes=build_user_classes(port))
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=10)
    started = time.perf_counter()
    gevent.sleep(duration)
    runner.quit()
    elapsed = time.perf_counter() - started
    report(env.stats, elapsed, users)


def report(stats, elapsed: float, users: int) -> None:
    def pct(entry, p: float) -> str:
        return f"{entry.get_response_time_percentile(p):>6.0f}"

    print(f"\n{users} users for {elapsed:.0f} s against gunicorn + PostgreSQL on 127.0.0.1")
    print(
        f"{'page':<22}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.name:<22}{entry.num_requests:>9}{entry.num_failures:>8}"
            f"{entry.num_requests / elapsed:>8.1f}{pct(entry, 0.5)}  {pct(entry, 0.95)}  {pct(entry, 0.99)}"
        )
    from locust.stats import StatsEntry

    pages = StatsEntry(stats, "pages", "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if not entry.name.startswith(("sign-in", "PDF")):
            pages.extend(entry)
    print(
        f"{'pages (no sign-in/PDF)':<22}{pages.num_requests:>9}{pages.num_failures:>8}"
        f"{pages.num_requests / elapsed:>8.1f}{pct(pages, 0.5)}  {pct(pages, 0.95)}  {pct(pages, 0.99)}"
    )
    total = stats.total
    print(
        f"{'all':<22}{total.num_requests:>9}{total.num_failures:>8}"
        f"{total.num_requests / elapsed:>8.1f}{pct(total, 0.5)}  {pct(total, 0.95)}  {pct(total, 0.99)}"
    )
    for error in stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} × {error.occurrences}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--db", default="iop_loadtest")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()
    if args.users > 50 or args.duration > 300:
        raise SystemExit("Bounded by design: at most 50 users and 300 seconds.")

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    static_root = tempfile.mkdtemp(prefix="iop-static-")
    env = _env(args.db) | {"STATIC_ROOT": static_root}
    if not args.skip_prepare:
        prepare(args.db, args.users, env)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log_path = f"{static_root}/gunicorn.log"
    server = start_gunicorn(args.port, env, self_signed_certificate(static_root), log_path)
    print(f"gunicorn on https://127.0.0.1:{args.port}, log in {log_path}")
    try:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
        run_locust(args.port, args.users, args.duration)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
