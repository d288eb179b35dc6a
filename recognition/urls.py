"""Absolute addresses, for links that leave the app's pages: mails, PDFs, the certificate's QR code.

Every one is built here, so they all name the host people actually reach the app at."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request


def public_base_url() -> str:
    """Scheme, host and path prefix of the app, without the trailing slash.

    PUBLIC_BASE_URL when set (required in production, where the Host header is whatever a client
    sends). In development, the request says where the server runs (`make run PORT=8080`, a test's
    live server); a command run outside any request (the CLI) assumes the local server on PORT."""
    configured = current_app.config["PUBLIC_BASE_URL"]
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return f"http://127.0.0.1:{current_app.config['PORT']}"


def app_path(endpoint: str, **values: Any) -> str:
    """The path of a route, in a request or not; values the route does not take go into the query."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of a route."""
    return public_base_url() + app_path(endpoint, **values)
