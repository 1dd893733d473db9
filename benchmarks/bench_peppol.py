"""Benchmark (not a test): how long the EN 16931 + PEPPOL BIS 3.0 validation of one UBL
invoice takes, first (compiling the rules) and then per document.

    .venv/bin/python benchmarks/bench_peppol.py [--runs 20]

Uses the official example invoice in shared/schemas/peppol-bis-3/examples (no database).
Target: well under a second per document once the rules are compiled.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from reporting import peppol  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    examples = sorted((peppol.schemas_dir() / "peppol-bis-3" / "examples").glob("*.xml"))
    invoice = next(p for p in examples if "CreditNote" not in p.read_text()[:400])
    xml = invoice.read_bytes()
    started = time.perf_counter()
    first = peppol.validate(xml)
    print(
        f"{invoice.name}: first validation (rules compiled) {time.perf_counter() - started:.2f} s"
    )
    timings = []
    for _run in range(args.runs):
        started = time.perf_counter()
        peppol.validate(xml)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"then per document over {args.runs} runs: median {statistics.median(timings):.0f} ms, "
        f"max {max(timings):.0f} ms; findings {len(first.findings)}"
    )


if __name__ == "__main__":
    main()
