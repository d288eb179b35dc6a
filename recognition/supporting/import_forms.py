"""The forms of the import of the Department's lists of supporting-industry firms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from recognition.i18n import Form
from recognition.supporting.imports import IMPORT_MAX_BYTES


class ImportUploadForm(Form):
    file = FileField(
        _l("List of firms (XLSX or CSV)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        description=_l(
            "At most %(limit)s MB; the first sheet of a workbook is read.", limit=IMPORT_MAX_BYTES // 2**20
        ),
    )
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(Form):
    """The preview's button: the digest names the stored file, read again on confirming."""

    digest = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import the good rows"))
