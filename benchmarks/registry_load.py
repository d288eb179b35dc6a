"""Load benchmark of the public registry under gunicorn (DESIGN.md budget: >= 300 requests/s).

Builds a throw-away SQLite database with N recognised products (bulk inserts, no workflow), starts
gunicorn on 127.0.0.1, sends GET /registry for S seconds with C connections, prints requests/s and
latency percentiles, and stops everything. Loopback only; bounded in time. The load comes from `wrk`
when it is installed (apt-get install wrk: a C client that leaves the CPU to the server), else from
Python threads (which share the machine's cores with the server, so they measure less).

    .venv/bin/python benchmarks/registry_load.py --products 2000 --clients 16 --seconds 15 --workers 2
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def seed(database_url: str, products: int) -> None:
    from sqlalchemy import insert

    from recognition import create_app
    from recognition.accounts.models import AdministrativeUnit, Enterprise, Sector
    from recognition.cases.models import Application, Product
    from recognition.cli import seed_programmes_and_round, seed_reference_data
    from recognition.clock import local_today, utcnow
    from recognition.extensions import db
    from recognition.honours.models import Certificate
    from recognition.i18n import fold
    from tests.conftest import tax_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        seed_reference_data()
        round_ = seed_programmes_and_round(local_today())
        db.session.commit()
        units = db.session.scalars(
            db.select(AdministrativeUnit.id).where(AdministrativeUnit.parent_id.is_not(None))
        )
        units = list(units)
        sectors = list(db.session.scalars(db.select(Sector.id)))
        now, today = utcnow(), local_today()
        enterprise_rows = [
            {
                "name": f"Công ty Cổ phần Sản xuất số {i}",
                "name_folded": fold(f"Công ty Cổ phần Sản xuất số {i}"),
                "tax_code": tax_code(i),
                "address": "Hà Nội",
                "unit_id": units[i % len(units)],
                "sector_id": sectors[i % len(sectors)],
                "created_at": now,
            }
            for i in range(products)
        ]
        enterprise_ids = db.session.scalars(
            insert(Enterprise).returning(Enterprise.id), enterprise_rows
        ).all()
        product_rows = [
            {
                "enterprise_id": e,
                "name": f"Sản phẩm chủ lực {i}",
                "name_folded": fold(f"Sản phẩm chủ lực {i}"),
                "sector_id": sectors[i % len(sectors)],
                "category": "other",
                "description": "",
                "capacity": "",
                "main_markets": "",
                "hs_code": "",
                "created_at": now,
            }
            for i, e in enumerate(enterprise_ids)
        ]
        product_ids = db.session.scalars(insert(Product).returning(Product.id), product_rows).all()
        application_rows = [
            {
                "round_id": round_.id,
                "product_id": p,
                "enterprise_id": e,
                "state": "recognised",
                "receipt_code": f"SCT-BENCH-{i:06d}",
                "submitted_at": now,
                "vetting_body": "unit",
                "vetting_unit_id": units[0],
                "decision_number": "1/QĐ-UBND",
                "decision_date": today,
                "created_at": now,
                "version": 1,
                "compliance_committed": True,
                "declaration_accepted": True,
                "environmental_compliance": "",
            }
            for i, (p, e) in enumerate(zip(product_ids, enterprise_ids, strict=True))
        ]
        application_ids = db.session.scalars(
            insert(Application).returning(Application.id), application_rows
        ).all()
        db.session.execute(
            insert(Certificate),
            [
                {
                    "serial": f"CNCL-{round_.year}-{i + 1:05d}",
                    "sequence": i + 1,
                    "application_id": a,
                    "round_id": round_.id,
                    "product_id": p,
                    "enterprise_id": e,
                    "top_n": i < 10,
                    "decision_number": "1/QĐ-UBND",
                    "decision_date": today,
                    "decision_signer": "",
                    "issued_on": today,
                    "valid_until": today + timedelta(days=1000),
                    "status": "valid",
                    "product_name": product_rows[i]["name"],
                    "enterprise_name": enterprise_rows[i]["name"],
                    "tax_code": enterprise_rows[i]["tax_code"],
                    "sector_id": product_rows[i]["sector_id"],
                    "unit_id": enterprise_rows[i]["unit_id"],
                    "names_folded": fold(f"{product_rows[i]['name']} {enterprise_rows[i]['name']}"),
                }
                for i, (a, p, e) in enumerate(zip(application_ids, product_ids, enterprise_ids, strict=True))
            ],
        )
        db.session.commit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(port: int, path: str, clients: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                errors.append(response.status)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    if errors:
        raise SystemExit(f"{len(errors)} non-200 answers, e.g. {errors[:5]}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", default="/registry")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        seed(database_url, args.products)
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x" * 40,
            "AUDIT_KEY": "y" * 40,
            "RECOGNITION_ENV": "production",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "EVIDENCE_DIR": f"{folder}/evidence",
        }
        server = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            load(port, args.path, args.clients, 2)  # warm-up
            if shutil.which("wrk"):
                wrk = subprocess.run(
                    ["wrk", "-t2", f"-c{args.clients}", f"-d{int(args.seconds)}s", "--latency",
                     f"http://127.0.0.1:{port}{args.path}"],
                    capture_output=True, text=True, timeout=args.seconds + 30,
                )  # fmt: skip
                print(f"wrk, {args.workers} gunicorn workers, {args.products} products:\n{wrk.stdout}")
                return
            latencies = sorted(load(port, args.path, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(10)
    count = len(latencies)
    p95 = latencies[int(count * 0.95) - 1]
    print(
        f"GET {args.path}: {count} requests in {args.seconds:.0f} s from {args.clients} clients, "
        f"{args.workers} gunicorn workers, {args.products} products"
    )
    print(
        f"throughput {count / args.seconds:.0f} requests/s; "
        f"latency median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
