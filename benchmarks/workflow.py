"""Write-side figures: transitions per second through workflow.advance (audit and notifications
included, one commit each, as a view does), bulk recognition with certificates (recognise_many, one
commit), and the `sweep` and `verify-audit` commands as cron runs them, with their peak memory.
These change the data set (dossiers move), so they run after the page and load measurements."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from benchmarks.common import ROOT, subprocess_env
from benchmarks.load import _peak_rss_kb


def transitions(app: Flask, count: int = 200) -> dict:
    """start_vetting on up to count/2 submitted dossiers of the current round, then endorse them."""
    from recognition.accounts.models import RoleMembership, User
    from recognition.cases.models import Application, State
    from recognition.cases.workflow import advance
    from recognition.clock import local_today
    from recognition.extensions import db

    endorse = {
        "eligibility_confirmed": True,
        "business_registration_valid": True,
        "no_tax_arrears": True,
        "social_insurance_paid": True,
        "environmental_compliance": True,
        "no_violations": True,
        "recommendation": "Đề nghị Hội đồng xem xét",
    }
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(Application.id)
                .where(Application.state == State.submitted)
                .order_by(Application.id)
                .limit(count // 2)
            )
        )
        done, started = 0, time.perf_counter()
        steps: tuple[tuple[str, dict[str, Any]], ...] = (("start_vetting", {}), ("endorse", endorse))
        for trigger, data in steps:
            for application_id in ids:
                application = db.session.get_one(Application, application_id)
                officer = db.session.scalar(
                    select(User)
                    .join(RoleMembership)
                    .where(RoleMembership.unit_id == application.vetting_unit_id)
                )
                extra: dict[str, Any] = (
                    {"site_visit_date": local_today() - timedelta(days=1)} if trigger == "endorse" else {}
                )
                advance(application, trigger, officer, **data, **extra)
                db.session.commit()
                done += 1
        seconds = time.perf_counter() - started
    return {
        "transitions": done,
        "seconds": round(seconds, 2),
        "per_second": round(done / seconds, 1) if seconds else None,
    }


def bulk_recognition(app: Flask, batches: tuple[int, ...] = (10, 50)) -> dict:
    """recognise_many over the current round's recommended dossiers, each batch its own decision."""
    from recognition.accounts.models import User
    from recognition.cases.models import Application, State
    from recognition.clock import local_today
    from recognition.extensions import db
    from recognition.honours.services import recognise_many
    from recognition.rounds.models import Round

    results = {}
    with app.app_context():
        current = db.session.scalars(select(Round).order_by(Round.year.desc(), Round.id)).first()
        assert current is not None
        secretary = db.session.scalar(select(User).where(User.email.like("secretariat%")).order_by(User.id))
        assert secretary is not None
        pool = list(
            db.session.scalars(
                select(Application.id)
                .where(Application.round_id == current.id, Application.state == State.recommended)
                .order_by(Application.id)
            )
        )
        for size in batches:
            batch, pool = pool[:size], pool[size:]
            if not batch:
                break
            started = time.perf_counter()
            outcomes = recognise_many(
                batch, f"{size}/QĐ-UBND-BENCH", local_today(), "Chủ tịch UBND", secretary
            )
            db.session.commit()
            seconds = time.perf_counter() - started
            refused = sum(1 for o in outcomes if getattr(o, "refusal", None) or getattr(o, "error", None))
            results[str(size)] = {
                "dossiers": len(batch),
                "seconds": round(seconds, 2),
                "refused": refused,
                "per_dossier_ms": round(seconds / len(batch) * 1000, 1),
            }
    return results


def command(url: str, name: str) -> dict:
    """`flask --app wsgi <name>` in a child process: its time, exit status and peak RSS."""
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    started = time.perf_counter()
    log = tempfile.TemporaryFile("w+")
    child = subprocess.Popen(
        [flask, "--app", "wsgi", name],
        cwd=ROOT,
        env=subprocess_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    while child.poll() is None:  # the child's own high-water mark (VmHWM), read while it runs
        peak = max(peak, _peak_rss_kb(child.pid))
        time.sleep(0.05)
    log.seek(0)
    output = log.read()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "exit": child.returncode,
        "peak_rss_mb": round(peak / 1024, 1),
        "output": output.strip().splitlines()[-1:] if output.strip() else [],
    }
