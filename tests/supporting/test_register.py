"""The register of supporting-industry firms: the enterprise fills its own entry, certifications
included; bad input is refused beside its field keeping what was typed; another enterprise's entry is
out of reach; the Department edits any entry, marks a firm inactive and lists the register."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import RecordChange
from recognition.clock import local_today
from recognition.extensions import db
from recognition.supporting.models import FirmCertification, Standard, SupplierProfile, SupportingSector
from recognition.supporting.register import CertificationEntry, ProfileEntry, RegisterRefused, save_profile
from tests.conftest import client_for
from tests.queries import queries_to_get

URL = "/applicant/supplier-profile/"


def sector(code: str = "LKNCS") -> SupportingSector:
    return db.session.scalar(select(SupportingSector).where(SupportingSector.code == code))


def entry_form(**fields) -> dict:
    """What the enterprise's form posts: one certification row filled, one left blank."""
    data = {
        "supporting_sector_id": str(sector().id),
        "products": "Linh kiện nhựa ép phun\nGioăng cao su",
        "supplies_multinationals": "y",
        "tier": "tier2",
        "customers": "Công ty TNHH Canon Việt Nam",
        "listing_consent": "y",
        "certifications-0-certification_id": "",
        "certifications-0-standard": "iatf_16949",
        "certifications-0-standard_name": "",
        "certifications-0-number": "IATF-0412345",
        "certifications-0-body": "TÜV Rheinland",
        "certifications-0-expires_on": (local_today() + timedelta(days=400)).isoformat(),
        "certifications-1-standard": "",
        "certifications-1-number": "",
    }
    data.update(fields)
    return data


def profile_of(enterprise) -> SupplierProfile | None:
    db.session.expire_all()
    return db.session.scalar(select(SupplierProfile).where(SupplierProfile.enterprise_id == enterprise.id))


@pytest.fixture
def applicant(app, make, reference):
    user = make.user(Role.applicant)
    client = client_for(app, user, lang="en")
    client.enterprise = user.memberships[0].enterprise
    return client


@pytest.fixture
def secretariat(app, make, reference):
    return client_for(app, make.user(Role.secretariat), lang="en")


def test_the_applicant_fills_its_entry_with_certifications_and_changes_and_removes_them(applicant):
    page = applicant.get("/applicant/")
    assert URL in page.text  # linked from the enterprise's home page
    assert applicant.get(URL).status_code == 200

    response = applicant.post(URL, data=entry_form())
    assert response.status_code == 302, response.text
    profile = profile_of(applicant.enterprise)
    assert profile.supporting_sector.code == "LKNCS"
    assert profile.product_lines == ["Linh kiện nhựa ép phun", "Gioăng cao su"]
    assert profile.tier.value == "tier2" and profile.listing_consent and profile.active
    assert profile.updated_by_id == applicant.user.id
    [certification] = profile.certifications
    certification_id = certification.id
    assert (certification.standard, certification.number, certification.body) == (
        Standard.iatf_16949, "IATF-0412345", "TÜV Rheinland"
    )  # fmt: skip
    assert "iatf 16949" in profile.search_folded and "linh kien nhua ep phun" in profile.search_folded

    form = applicant.get(URL).text  # the saved row comes back, with blank rows to add more
    assert 'value="IATF-0412345"' in form and f'value="{certification_id}"' in form
    assert 'name="certifications-2-number"' in form

    changed = entry_form(
        **{
            "certifications-0-certification_id": str(certification_id),
            "certifications-0-expires_on": "2031-06-30",
            "certifications-1-standard": "other",
            "certifications-1-standard_name": "ISO 45001",
            "certifications-1-number": "OH-77",
        }
    )
    assert applicant.post(URL, data=changed).status_code == 302
    profile = profile_of(applicant.enterprise)
    assert [(c.id, c.standard_label, c.expires_on) for c in profile.certifications] == [
        (certification_id, "IATF 16949", date(2031, 6, 30)),
        (profile.certifications[1].id, "ISO 45001", None),
    ]
    assert "iso 45001" in profile.search_folded

    removed = {**changed, "certifications-0-remove": "y", "supplies_multinationals": "", "tier": ""}
    assert applicant.post(URL, data=removed).status_code == 302
    profile = profile_of(applicant.enterprise)
    assert [c.standard_label for c in profile.certifications] == ["ISO 45001"]
    assert not profile.supplies_multinationals and profile.tier is None
    assert "iatf" not in profile.search_folded
    assert db.session.get(FirmCertification, certification_id) is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"supplies_multinationals": ""}, "A tier is given only for a firm that supplies multinationals."),
        ({"certifications-0-number": ""}, "A certification needs its certificate number."),
        (
            {"certifications-0-standard": "other", "certifications-0-standard_name": ""},
            "Name the standard (for example ISO 45001).",
        ),
        ({"certifications-0-expires_on": "2027-02-30"}, "Not a valid date value."),
        ({"supporting_sector_id": "999999"}, "Not a valid choice."),
    ],
)
def test_bad_input_is_refused_beside_its_field_keeping_what_was_typed(applicant, fields, message):
    response = applicant.post(URL, data=entry_form(products="Khuôn mẫu đặc biệt", **fields))
    assert response.status_code == 200
    assert message in response.text
    assert "invalid-feedback" in response.text
    assert "Khuôn mẫu đặc biệt" in response.text  # what was typed stays
    assert 'value="TÜV Rheinland"' in response.text
    assert profile_of(applicant.enterprise) is None  # nothing saved


def test_the_service_refuses_what_the_form_would_and_saves_nothing(app, make, reference):
    enterprise = make.enterprise()
    actor = make.user(Role.secretariat)
    bad = ProfileEntry(
        supporting_sector_id=sector().id,
        tier="tier1",
        certifications=[
            CertificationEntry(standard="iso_9001", number="A-1", expires_on="31/12/2030"),
            CertificationEntry(standard="iso_9001", number="A-1"),
        ],
    )
    with pytest.raises(RegisterRefused) as refused:
        save_profile(enterprise, bad, actor)
    assert refused.value.field == "tier"
    assert [r.code for r in refused.value.refusals] == [
        "tier", "certifications-0-expires_on", "certifications-1-number"
    ]  # fmt: skip
    with force_locale("en"):
        assert "Certification 2: This certificate is listed twice." in refused.value.messages
    assert db.session.scalar(select(SupplierProfile)) is None


def test_removing_a_row_and_typing_it_again_keeps_one_certification(app, make, reference):
    enterprise = make.enterprise()
    actor = make.user(Role.secretariat)
    row = CertificationEntry(standard="iso_9001", number="VN-9001")
    profile = save_profile(enterprise, ProfileEntry(sector().id, certifications=[row]), actor)
    db.session.commit()
    first_id = profile.certifications[0].id
    again = [CertificationEntry(standard="iso_9001", number="VN-9001", id=first_id, remove=True), row]
    save_profile(enterprise, ProfileEntry(sector().id, certifications=again), actor)
    db.session.commit()
    assert [(c.id, c.number) for c in profile_of(enterprise).certifications] == [(first_id, "VN-9001")]


def test_another_enterprises_entry_is_out_of_reach(app, make, applicant):
    other = make.enterprise(name="Công ty Nhựa Tiền Phong")
    actor = make.user(Role.secretariat)
    save_profile(other, ProfileEntry(sector().id, products="Ống nhựa", customers="Samsung"), actor)
    db.session.commit()

    page = applicant.get(URL)
    assert "Ống nhựa" not in page.text and "Samsung" not in page.text
    assert applicant.get(f"/secretariat/supporting/firms/{other.id}").status_code == 403
    assert applicant.get("/secretariat/supporting/").status_code == 403
    # A posted certification id of the other firm's row changes nothing of theirs.
    their_row = save_profile(
        other,
        ProfileEntry(sector().id, certifications=[CertificationEntry(standard="iso_9001", number="TP-1")]),
        actor,
    ).certifications[0]
    db.session.commit()
    stolen = entry_form(**{"certifications-0-certification_id": str(their_row.id)})
    assert applicant.post(URL, data=stolen).status_code == 302
    db.session.expire_all()
    theirs = db.session.get(FirmCertification, their_row.id)
    assert (theirs.profile.enterprise_id, theirs.number) == (other.id, "TP-1")
    assert [c.number for c in profile_of(applicant.enterprise).certifications] == ["IATF-0412345"]


def test_the_secretariat_edits_an_entry_marks_the_firm_inactive_and_lists_the_register(
    app, make, applicant, secretariat
):
    assert applicant.post(URL, data=entry_form()).status_code == 302
    enterprise = applicant.enterprise
    firm_url = f"/secretariat/supporting/firms/{enterprise.id}"
    page = secretariat.get(firm_url)
    assert page.status_code == 200 and "IATF-0412345" in page.text and "Canon" in page.text

    posted = entry_form(
        products="Linh kiện nhựa ép phun\nKhay nhựa chống tĩnh điện",
        active="",
        **{"certifications-0-certification_id": str(profile_of(enterprise).certifications[0].id)},
    )
    assert secretariat.post(firm_url, data=posted).status_code == 302
    profile = profile_of(enterprise)
    assert not profile.active
    assert profile.updated_by_id == secretariat.user.id
    assert "khay nhua chong tinh dien" in profile.search_folded
    assert len(profile.certifications) == 1

    listed = secretariat.get("/secretariat/supporting/")
    assert listed.status_code == 200 and enterprise.name in listed.text
    assert "1 firms: 0 active, 1 holding a valid certification" in listed.text
    assert enterprise.name in secretariat.get("/secretariat/supporting/?q=khay+nhua&active=no").text
    assert enterprise.name not in secretariat.get("/secretariat/supporting/?active=yes").text
    assert enterprise.name not in secretariat.get("/secretariat/supporting/?certified=no").text
    other_sector = sector("LKKL").id
    assert enterprise.name not in secretariat.get(f"/secretariat/supporting/?sector={other_sector}").text
    assert enterprise.name in secretariat.get(f"/secretariat/supporting/?unit={enterprise.unit_id}").text

    assert secretariat.get("/secretariat/supporting/firms/999999").status_code == 404


def test_the_secretariat_creates_the_entry_of_an_enterprise_that_has_none(app, make, secretariat):
    enterprise = make.enterprise()
    firm_url = f"/secretariat/supporting/firms/{enterprise.id}"
    assert "no entry in the register yet" in secretariat.get(firm_url).text
    response = secretariat.post(firm_url, data=entry_form(active="y", listing_consent=""))
    assert response.status_code == 302
    profile = profile_of(enterprise)
    assert profile.active and not profile.listing_consent and len(profile.certifications) == 1


def test_the_register_list_costs_the_same_queries_for_more_firms(app, make, secretariat):
    actor = make.user(Role.secretariat)
    rows = [
        CertificationEntry(standard="iso_9001", number="Q-1"),
        CertificationEntry(standard="as9100", number="A"),
    ]

    def firm():
        save_profile(make.enterprise(), ProfileEntry(sector().id, certifications=rows), actor)
        db.session.commit()

    firm()
    few = queries_to_get(secretariat, "/secretariat/supporting/?certified=yes")
    for _n in range(8):
        firm()
    assert queries_to_get(secretariat, "/secretariat/supporting/?certified=yes") == few
    assert (
        "9 firms: 9 active, 9 holding a valid certification"
        in secretariat.get("/secretariat/supporting/").text
    )


def test_a_search_with_digits_in_words_does_not_match_every_tax_code(app, make, secretariat):
    """Hanoi's tax codes all start 010…: the digits of "Nhựa 100%" must not find every firm, while a
    tax code typed whole (or its start) still finds its firm."""
    actor = make.user(Role.secretariat)
    plastic, metal = make.enterprise(), make.enterprise()
    save_profile(plastic, ProfileEntry(sector().id, products="Nhựa 100% tái chế"), actor)
    save_profile(metal, ProfileEntry(sector("LKKL").id, products="Bulông thép"), actor)
    db.session.commit()
    found = secretariat.get("/secretariat/supporting/", query_string={"q": "Nhựa 100%"}).text
    assert plastic.name in found and metal.name not in found
    by_code = secretariat.get("/secretariat/supporting/", query_string={"q": metal.tax_code}).text
    assert metal.name in by_code and plastic.name not in by_code


def test_every_change_to_an_entry_is_audited_with_who_acted_as_what(app, make, applicant, secretariat):
    assert applicant.post(URL, data=entry_form()).status_code == 302
    enterprise = applicant.enterprise
    firm_url = f"/secretariat/supporting/firms/{enterprise.id}"
    certification_id = str(profile_of(enterprise).certifications[0].id)
    posted = entry_form(active="", **{"certifications-0-certification_id": certification_id})
    assert secretariat.post(firm_url, data=posted).status_code == 302
    assert secretariat.post(firm_url, data=posted).status_code == 302  # the same again: nothing changed
    changes = db.session.scalars(
        select(RecordChange)
        .where(RecordChange.subject_type == "supplier_profiles")
        .order_by(RecordChange.seq)
    ).all()
    assert [(c.action, c.actor_role) for c in changes] == [
        ("create_register_entry", "applicant"), ("edit_register_entry", "secretariat")
    ]  # fmt: skip
    assert changes[1].payload["changes"] == {"active": [True, False]}
    assert verify_chains() == []
