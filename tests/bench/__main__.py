"""Run every benchmark module, print one table, save the rows as JSON.

Each ``tests/bench/bench_<area>.py`` exposes ``run(quick: bool = False) -> list[dict]``
with keys ``bench``, ``case``, ``value``, ``unit`` and, where a baseline ran in the same
process, ``baseline`` and ``ratio``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def discover(only: list[str]) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    return [n for n in names if not only or any(o in n for o in only)]


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="run only modules whose name contains this")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()

    console = Console(width=max(150, Console().width))
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    for name in discover(args.only):
        console.print(f"[bold]running {name}[/bold]…")
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"tests.bench.{name}")
            rows.extend(module.run(quick=args.quick))
        except Exception:
            failed.append(name)
            console.print(f"[red]{name} failed[/red]\n{traceback.format_exc()}")
        console.print(f"  {name}: {time.perf_counter() - started:.1f} s")

    table = Table(title="newsradar benchmarks")
    for col in ("bench", "case", "value", "unit", "baseline", "ratio"):
        table.add_column(col, justify="right" if col in ("value", "baseline", "ratio") else "left")
    for row in rows:
        ratio = row.get("ratio")
        table.add_row(
            row["bench"],
            row["case"],
            fmt(row["value"]),
            row["unit"],
            fmt(row.get("baseline")),
            f"{ratio:.1f}×" if ratio else "",
        )
    console.print(table)

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "quick": args.quick,
        "rows": rows,
        "failed": failed,
    }
    for path in (args.out / f"bench-{stamp}.json", args.out / "latest.json"):
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    console.print(f"saved {args.out / 'latest.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
