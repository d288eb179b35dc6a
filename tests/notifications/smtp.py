"""An SMTP server on 127.0.0.1 for the tests (aiosmtpd in a thread): records every message it
accepts, can refuse chosen addresses, and can be slow to answer."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self):
        self.messages: list[Message] = []
        self.refused: set[str] = set()
        self.rcpt_attempts: list[str] = []
        self.delay_seconds = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts.append(address)
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)  # the message is in; the answer takes its time
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(attempts: int = 5) -> tuple[Controller, RecordingHandler]:
    """The server on a free port. A port is found free, then bound: in between another process (a
    second pytest-xdist worker) may take it, and the bind fails, so another port is tried."""
    handler = RecordingHandler()
    for _ in range(attempts - 1):
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        try:
            controller.start()
            return controller, handler
        except OSError:
            controller.loop.close()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller, handler
