"""Need-to-know letters: the department that owns a certificate type (and managers and
administrators) see its rules, residents, letters, batches, parts and imports; the staff
of any other department get 404 on every URL and no counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notices import letters, selectors, services
from notices.models import Certificate, CertificateType, ImportRun, Resident
from organization.models import AccessLog, Role
from tests.notices.test_import import csv, row
from tests.organization.factories import make_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters_world(rule, django_capture_on_commit_callbacks):
    """A rule owned by 福祉課 with one resident due today, a rendered batch and an
    import."""
    today = timezone.localdate()
    rule.name = "福祉の更新ルール"
    rule.save()
    resident = Resident.objects.create(
        resident_number="R-NTK",
        name="需要 知子",
        kana="ジュヨウ トモコ",
        postal_code="123-4567",
        address_line1="みどり市本町1-2-3",
    )
    # A second resident, due too, left for the overview to count.
    other = Resident.objects.create(
        resident_number="R-NTK2", name="需要 二郎", postal_code="123-4567", address_line1="本町"
    )
    for source_id, owner, expires_in in (("NTK-1", resident, 10), ("NTK-2", other, 12)):
        Certificate.objects.create(
            source_id=source_id,
            resident=owner,
            certificate_type=rule.certificate_type,
            issued_on=today - dt.timedelta(days=170),
            expires_on=today + dt.timedelta(days=expires_in),
        )
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.letters_create_due(rule=rule, today=today)
    batch.refresh_from_db()
    run = services.import_file(
        file=SimpleUploadedFile("r.csv", csv(row(ctype="jr-commuter", issued="x")).encode()),
        file_name="r.csv",
        department_id=rule.certificate_type.department_id,
    )
    return {"rule": rule, "resident": resident, "batch": batch, "run": run}


def _urls(world) -> list[tuple[str, str]]:
    rule, batch, run = world["rule"], world["batch"], world["run"]
    chunk = batch.chunks.get()
    return [
        ("get", "/notices/rules/%d/preview.pdf" % rule.pk),
        ("get", "/notices/rules/%d/preview.pdf?resident=%d" % (rule.pk, world["resident"].pk)),
        ("get", "/notices/parts/%d.pdf" % chunk.pk),
        ("get", "/notices/import/%d/" % run.pk),
        ("get", "/notices/import/%d/refused.csv" % run.pk),
        ("post", "/notices/rules/%d/create/" % rule.pk),
        ("post", "/notices/batches/%d/printed/" % batch.pk),
    ]


def test_another_departments_staff_get_404_on_every_letters_url(client, letters_world):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    for method, url in _urls(letters_world):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)


def test_another_departments_staff_see_no_rule_names_or_counts(client, letters_world):
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)

    overview = client.get("/notices/").content.decode()
    imports = client.get("/notices/import/").content.decode()

    for secret in ("福祉の更新ルール", "需要", "R-NTK", "r.csv"):
        assert secret not in overview and secret not in imports, secret
    assert "jr-commuter" not in imports


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMINISTRATOR])
def test_the_owning_department_managers_and_administrators_see_them(client, letters_world, role):
    department = letters_world["rule"].certificate_type.department
    client.force_login(make_staff_member(role=role, department=department).user)

    for method, url in _urls(letters_world):
        response = getattr(client, method)(url)
        assert response.status_code in (200, 302), (url, response.status_code)
    overview = client.get("/notices/").content.decode()
    assert "福祉の更新ルール" in overview
    assert "/notices/parts/%d.pdf" % letters_world["batch"].chunks.get().pk in overview


def test_the_preview_shows_a_sample_resident_and_logs_nothing(client, letters_world, monkeypatch):
    rule = letters_world["rule"]
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender).user)
    shown = []
    monkeypatch.setattr(letters, "render_pdf", lambda letters: shown.extend(letters) or b"%PDF-1.7")
    before = AccessLog.objects.count()

    response = client.get("/notices/rules/%d/preview.pdf" % rule.pk)

    assert response.status_code == 200
    assert shown[0].resident.name == "見本 太郎" and shown[0].resident.pk is None
    assert AccessLog.objects.count() == before


def test_a_real_resident_in_the_preview_is_asked_for_and_logged(client, letters_world, monkeypatch):
    rule, resident = letters_world["rule"], letters_world["resident"]
    member = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    client.force_login(member.user)
    shown = []
    monkeypatch.setattr(letters, "render_pdf", lambda letters: shown.extend(letters) or b"%PDF-1.7")

    response = client.get("/notices/rules/%d/preview.pdf?resident=%d" % (rule.pk, resident.pk))

    assert response.status_code == 200
    assert shown[0].resident == resident
    entry = AccessLog.objects.filter(user=member.user, view="notices:preview").get()
    assert (entry.object_type, entry.object_id) == ("notices.resident", str(resident.pk))


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_the_preview_refuses_a_resident_it_cannot_show(client, letters_world, value):
    rule = letters_world["rule"]
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    response = client.get("/notices/rules/%d/preview.pdf?resident=%s" % (rule.pk, value))

    assert response.status_code == 404


def test_a_resident_of_another_type_is_not_previewed_under_this_rule(client, letters_world):
    rule = letters_world["rule"]
    other_type = CertificateType.objects.create(code="other", name="他の証明書")
    stranger = Resident.objects.create(resident_number="R-X", name="他課 花子")
    Certificate.objects.create(
        source_id="X-1",
        resident=stranger,
        certificate_type=other_type,
        issued_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2026, 7, 1),
    )
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    response = client.get("/notices/rules/%d/preview.pdf?resident=%d" % (rule.pk, stranger.pk))

    assert response.status_code == 404


def test_selectors_and_admin_querysets_keep_to_the_department(letters_world, rf):
    from django.contrib import admin

    owner = letters_world["rule"].certificate_type.department
    mine = make_staff_member(role=Role.DEPARTMENT_STAFF, department=owner).user
    other = make_staff_member(role=Role.DEPARTMENT_STAFF).user
    manager = make_staff_member(role=Role.MANAGER).user

    assert selectors.visible_residents(other).count() == 0
    assert selectors.visible_residents(mine).count() == 2
    assert selectors.visible_residents(manager).count() == 2
    request = rf.get("/admin/notices/resident/")
    for model in (Resident, Certificate, ImportRun):
        model_admin = admin.site._registry[model]
        request.user = other
        assert model_admin.get_queryset(request).count() == 0, model
        request.user = manager
        assert model_admin.get_queryset(request).count() > 0, model


def test_a_type_without_an_owner_is_for_managers_and_administrators_only(client, rule):
    rule.certificate_type.department = None
    rule.certificate_type.save()
    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender).user)

    assert client.get("/notices/rules/%d/preview.pdf" % rule.pk).status_code == 404


def test_managers_see_an_import_in_the_admin_without_its_file(client, letters_world):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root-ntk", password="x-pass-123456")
    client.force_login(admin_user)
    run = letters_world["run"]

    response = client.get("/admin/notices/importrun/%d/change/" % run.pk)

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "imports/" not in response.content.decode()
