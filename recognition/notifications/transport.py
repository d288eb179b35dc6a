"""How a rendered mail leaves: SMTP (smtplib, from the standard library) with the settings from the
environment. One connection serves a whole drain."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app

from recognition.clock import utcnow
from recognition.notifications.models import OutgoingMail


class DeliveryFailed(Exception):
    """The server refused the mail, or could not be reached; the drain retries later."""


class SmtpTransport:
    def __init__(self, config: dict):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_app(cls) -> SmtpTransport | None:
        """None when no SMTP server is configured (the mails stay in the local outbox)."""
        return cls(current_app.config) if current_app.config["MAIL_SERVER"] else None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = self.config
            smtp = smtplib.SMTP(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]
            )
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            self._smtp = smtp
        return self._smtp

    def _domain(self) -> str:
        address = parseaddr(self.config["MAIL_FROM"])[1]
        return address.rpartition("@")[2] or "localhost"

    def send(self, mail: OutgoingMail) -> None:
        message = EmailMessage()
        message["From"] = self.config["MAIL_FROM"]
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(utcnow())
        # The same id whenever this row is sent: a receiving system that sees it twice can tell.
        message["Message-ID"] = f"<outgoing-{mail.id}@{self._domain()}>"
        message.set_content(mail.body)
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise DeliveryFailed(f"{type(error).__name__}: {error}"[:500]) from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
