"""`python -m benchmarks` (`make bench`): generate the set, measure pages, load, workflow, commands;
write JSON and Markdown under benchmarks/results/ and print the table. SQLite by default, PostgreSQL
with DATABASE_URL.

    python -m benchmarks --applications 100000 --seed 1 [--requests 200] [--load-seconds 15] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from datetime import date
from importlib.metadata import version

from sqlalchemy import func, select, text

from benchmarks.common import RESULTS_DIR, bench_app, database_kind, database_url

PAGE_P95_BUDGET_MS = 50
RATIO_BUDGET = 2.5
THROUGHPUT_BUDGET = 300
BULK_BUDGET_S = 5
COMMAND_BUDGET_S = 60


def _machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {
            name: version(name) for name in ("flask", "sqlalchemy", "flask-sqlalchemy", "gunicorn", "jinja2")
        },
    }


def _database(app: object, url: str) -> dict:
    from recognition.extensions import db

    with app.app_context():  # type: ignore[attr-defined]
        kind = database_kind(url)
        server = db.session.execute(
            text("SELECT version()" if kind == "postgresql" else "SELECT sqlite_version()")
        ).scalar()
        counts = {
            t: db.session.scalar(select(func.count()).select_from(db.metadata.tables[t]))
            for t in (
                "applications",
                "enterprises",
                "products",
                "audit_events",
                "review_assignments",
                "scores",
                "certificates",
                "users",
                "supplier_profiles",
            )
        }
    return {"kind": kind, "version": str(server).split(" on ")[0], "rows": counts}


def mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def markdown(result: dict) -> str:
    m, d = result["machine"], result["database"]
    lines = [
        f"### {d['kind']} {d['version']}, {d['rows']['applications']:,} applications ({result['date']})",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
        + f". Generated in {result['generate_seconds']} s.",
        "",
        "| page | p50 ms | p95 ms | queries | SQL baseline p50 ms | ratio p50 | p95 ≤ 50 ms | ratio ≤ 2.5 |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for p in result["pages"]:
        queries = (
            str(p["queries_min"])
            if p["queries_min"] == p["queries_max"]
            else f"{p['queries_min']}–{p['queries_max']}"
        )
        lines.append(
            f"| {p['page']} | {p['p50_ms']} | {p['p95_ms']} | {queries} | {p['baseline_p50_ms']} | "
            f"{p['ratio_p50']} | {mark(p['p95_ms'] <= PAGE_P95_BUDGET_MS)} |"
            f" {mark(p['ratio_p50'] <= RATIO_BUDGET)} |"
        )
    lines += ["", "| figure | measured | budget | |", "|---|---:|---:|---|"]
    load = result.get("load") or {}
    for name in ("registry", "verify"):
        if name in load:
            f = load[name]
            lines.append(
                f"| {name} under gunicorn ({load['workers']} workers, {load['client']}) | "
                f"{f['requests_per_s']} req/s, {f['errors']} errors | ≥ {THROUGHPUT_BUDGET} req/s, 0 errors"
                f" | "
                f"{mark(f['requests_per_s'] >= THROUGHPUT_BUDGET and f['errors'] == 0)} |"
            )
    if "worker_peak_rss_mb" in load:
        lines.append(f"| gunicorn worker peak RSS | {load['worker_peak_rss_mb']} MB | bounded | |")
    w = result.get("workflow") or {}
    if "transitions" in w:
        lines.append(
            f"| workflow transitions (advance + audit + commit) | {w['transitions']['per_second']}/s | | |"
        )
    for size, b in (w.get("bulk_recognition") or {}).items():
        budget = f"≤ {BULK_BUDGET_S} s" if size == "50" else "linear"
        ok = b["seconds"] <= BULK_BUDGET_S if size == "50" else True
        lines.append(
            f"| bulk recognition of {b['dossiers']} | {b['seconds']} s ({b['per_dossier_ms']} ms each) |"
            f" {budget} | {mark(ok) if size == '50' else ''} |"
        )
    for name in ("sweep", "verify-audit"):
        if name in w:
            c = w[name]
            lines.append(
                f"| `flask {name}` | {c['seconds']} s, peak RSS {c['peak_rss_mb']} MB, exit {c['exit']} | "
                f"≤ {COMMAND_BUDGET_S} s | {mark(c['seconds'] <= COMMAND_BUDGET_S and c['exit'] == 0)} |"
            )
    lines.append(f"| harness process peak RSS | {result['harness_peak_rss_mb']} MB | | |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--load-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="measure the set already generated at this size")
    parser.add_argument("--skip", action="append", default=[], choices=("pages", "load", "workflow"))
    args = parser.parse_args()

    from benchmarks import generate, load, pages, workflow

    url = database_url(args.applications)
    generate_seconds = None
    if not args.reuse:
        generate_seconds = round(generate.generate(url, args.applications, args.seed).seconds, 1)
    app = bench_app(url)
    result: dict = {
        "date": date.today().isoformat(),
        "applications": args.applications,
        "seed": args.seed,
        "generate_seconds": generate_seconds,
        "machine": _machine(),
        "database": _database(app, url),
    }
    if "pages" not in args.skip:
        result["pages"] = pages.measure(app, args.requests, args.seed)
    else:
        result["pages"] = []
    if "load" not in args.skip:
        samples = pages._samples(app)
        result["load"] = load.run_load(
            url,
            {
                "registry": [f"/registry?page={n}" for n in range(1, 11)]
                + ["/registry?q=co+khi", "/registry"],
                "verify": [f"/verify/{s}" for s in samples["serials"][:200]],
            },
            workers=args.workers,
            seconds=args.load_seconds,
        )
    if "workflow" not in args.skip:
        started = time.perf_counter()
        result["workflow"] = {
            "transitions": workflow.transitions(app),
            "bulk_recognition": workflow.bulk_recognition(app),
            "sweep": workflow.command(url, "sweep"),
            "verify-audit": workflow.command(url, "verify-audit"),
        }
        result["workflow"]["seconds"] = round(time.perf_counter() - started, 1)
    result["harness_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    stem = os.path.join(RESULTS_DIR, f"{result['date']}-{result['database']['kind']}-{args.applications}")
    with open(stem + ".json", "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=1, default=str)
    table = markdown(result)
    with open(stem + ".md", "w", encoding="utf-8") as out:
        out.write(table)
    print(table)
    print(f"written: {stem}.json, {stem}.md")


if __name__ == "__main__":
    main()
