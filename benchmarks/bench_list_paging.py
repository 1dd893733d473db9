"""Benchmark (not a test): a deep page of "Mina deltagare" by page number (offset) and by
following "Nästa" (keyset on the last row's sort keys), per sort, on a database seeded
by bench_all.py / bench_participants.py.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_list_paging.py [--runs 20]

Prints, per sort and way of paging: median wall ms, SQL ms, CPU ms of this process and
queries per request, for the second-to-last page.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

import bench_participants as seeding  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from participants import views  # noqa: E402
from partnerships.models import User  # noqa: E402

NEXT = re.compile(r'href="(\?page=(\d+)&amp;after=[^"]*)">')


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int]:
    wall, cpu, sql, queries = [], [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            assert client.get(url).status_code == 200
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        queries = len(ctx.captured_queries)
    med = statistics.median
    return med(wall[2:]), med(sql[2:]), med(cpu[2:]), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.get(username=f"{seeding.PREFIX}coord0")
    client = Client()
    client.force_login(user)
    seeding._pass_second_factor(client, user)
    base = reverse("participants:list")
    print("| sort | paging | wall ms | SQL ms | CPU ms | queries |")
    print("|---|---|---|---|---|---|")
    for sort in views.SORTS:
        query = f"&sort={sort}" if sort else ""
        first = client.get(base + ("?" + query[1:] if query else "")).content.decode()
        pages = int(re.search(r"Sida 1 av (\d+)", first).group(1))  # type: ignore[union-attr]
        deep = pages - 1
        ways = [("page number", f"{base}?page={deep}{query}")]
        if sort in views.KEYSET_SORTS:
            # "Nästa" on the page before the deep one carries its last row's keys.
            before = client.get(f"{base}?page={deep - 1}{query}").content.decode()
            match = NEXT.search(before)
            assert match and match.group(2) == str(deep), "no keyset link"
            ways.append(("Nästa", base + match.group(1).replace("&amp;", "&")))
        for label, url in ways:
            wall, sql, cpu, queries = measure(client, url, args.runs)
            name = sort or "default"
            print(f"| {name} p.{deep} | {label} | {wall:.1f} | {sql:.1f} | {cpu:.1f} | {queries} |")


if __name__ == "__main__":
    main()
