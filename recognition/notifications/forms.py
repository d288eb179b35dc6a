"""The buttons of the notices page and of the mail outbox: each posts one id, read by a form."""

from __future__ import annotations

from wtforms.validators import InputRequired

from recognition.i18n import Form
from recognition.params import IdField


class OpenNoticeForm(Form):
    """One of the user's notices to mark read and follow (anyone else's is not found)."""

    notification_id = IdField(validators=[InputRequired()])


class SendAgainForm(Form):
    """A failed or interrupted mail the secretariat sends again."""

    mail_id = IdField(validators=[InputRequired()])
