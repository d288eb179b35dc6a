"""The public face: home page and language switch (registry, verification and tracking follow)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from recognition.accounts.views import safe_next_url

bp = Blueprint("registry", __name__)


@bp.route("/")
def home():
    return render_template("registry/home.html")


@bp.route("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in the session and go back where the visitor was."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")) or url_for("registry.home"))
