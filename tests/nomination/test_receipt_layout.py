"""The receipt slip's PDF prints each label apart from its value (it overprinted the date with the
long Vietnamese label "Dự kiến có kết quả thẩm định trước ngày")."""

import re

from recognition.clock import format_moment
from tests.conftest import fire, login
from tests.documents import overprinted, pdf_text, text_runs


def test_receipt_pdf_prints_labels_and_values_apart_and_in_order(app, make):
    application = make.application()
    applicant = make.applicant_of(application)
    fire(application, "submit", applicant)
    client = app.test_client()
    assert login(client, applicant).status_code == 302
    client.get("/lang/vi")
    response = client.get(f"/applicant/applications/{application.id}/receipt.pdf")
    assert response.mimetype == "application/pdf"
    runs = text_runs(response.data)
    assert any(run.text == "Dự kiến có kết quả thẩm định trước ngày" for run in runs)
    assert overprinted(runs) == []
    text = pdf_text(response.data)
    assert re.search(r"Dự kiến có kết quả thẩm định trước ngày \d{2}/\d{2}/\d{4} ", text), text
    assert f"Thời điểm nộp {format_moment(application.submitted_at)} " in text
    assert f"Mã hồ sơ {application.receipt_code} " in text
