"""The benchmark's generator and page harness still run against the current schema (structure only,
never timings: those are measured by `make bench`, not by the suite)."""

from __future__ import annotations

from sqlalchemy import func, select

from benchmarks.common import bench_app
from benchmarks.generate import generate
from benchmarks.pages import measure


def test_generator_and_one_page_measurement(tmp_path):
    url = f"sqlite:///{tmp_path}/smoke.db"
    built = generate(url, applications=50, seed=3, quiet=True)
    assert built.applications == 50
    assert built.rows["audit_events"] > 50

    app = bench_app(url)
    from recognition.cases.audit import verify_chains
    from recognition.cases.models import Application
    from recognition.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id))) == 50
        assert verify_chains() == []  # the generated chains are valid, as `flask verify-audit` checks
    [result] = measure(app, requests=3, only={"registry list"})
    assert result["page"] == "registry list"
    assert result["statuses"] == [200]
    assert {"p50_ms", "p95_ms", "queries_min", "queries_max", "baseline_p50_ms", "ratio_p50"} <= set(result)
