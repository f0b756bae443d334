"""The access log (APPI): every staff view of citizens' personal data and every admin
change, append-only in the database, shown to administrators alone."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from notices import services as notice_services
from notices.models import Certificate, Resident
from organization import services
from organization.models import AccessKind, AccessLog, Department, Role
from reservations.models import Reservation
from tests.append_only import assert_append_only
from tests.notices.factories import notice_rule
from tests.organization.factories import DepartmentFactory, make_staff_member
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule, at

pytestmark = pytest.mark.django_db

NAME = "窓口 花子"
KANA = "マドグチ ハナコ"
PHONE = "090-3333-4444"
ADDRESS = "みどり市本町9-8-7"
ACCESS_LOG_ADMIN = "/admin/organization/accesslog/"


def assert_no_personal_data(entries):
    for entry in entries:
        text = " ".join(
            str(value) for value in (entry, entry.object_id, entry.view, entry.detail, entry.ip)
        )
        for secret in (NAME, KANA, PHONE, ADDRESS, "花子"):
            assert secret not in text, (secret, text)


# --- The counter ------------------------------------------------------------------------


@pytest.fixture
def counter_day():
    """Today's queue: a clerk on shift all day and a procedure they handle."""
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    clerk = add_clerk(procedure, day=timezone.localdate(), start=dt.time(0, 0), end=dt.time(23, 59))
    return procedure, clerk


_codes = iter(range(10**6))


def booking_today(procedure, clerk, *, name=NAME, minute=0):
    start = at(timezone.localdate(), 0, 0) + dt.timedelta(minutes=30 * minute)
    n = next(_codes)
    return Reservation.objects.create(
        procedure=procedure,
        staff=clerk,
        counter=clerk.shifts.first().counter,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        code="L%08d" % n,
        manage_nonce="x",
        citizen_name=name,
        citizen_kana=KANA,
        phone=PHONE,
        email_key="log%d@example.jp" % n,
    )


def test_a_clerk_opening_the_queue_logs_the_bookings_shown_in_one_entry(client, counter_day):
    procedure, clerk = counter_day
    bookings = [booking_today(procedure, clerk, minute=n) for n in range(3)]
    client.force_login(clerk.user)

    page = client.get(reverse("reservations:queue")).content.decode()

    assert NAME in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.kind, entry.object_type, entry.object_id, entry.view) == (
        clerk.user,
        AccessKind.PERSONAL_DATA_READ,
        "reservations.reservation",
        "",
        "reservations:queue",
    )
    assert sorted(entry.detail.split()) == sorted(str(b.pk) for b in bookings)
    assert entry.ip == "127.0.0.1"
    assert_no_personal_data([entry])


def test_the_self_refreshing_queue_logs_the_same_people_once_in_a_while(
    client, counter_day, settings
):
    procedure, clerk = counter_day
    booking_today(procedure, clerk)
    client.force_login(clerk.user)
    queue = reverse("reservations:queue")

    client.get(queue)
    client.get(queue, headers={"HX-Request": "true"})  # the refresh every 5 seconds
    assert AccessLog.objects.count() == 1

    newcomer = booking_today(procedure, clerk, minute=1)  # somebody else is shown now
    client.get(queue, headers={"HX-Request": "true"})
    assert AccessLog.objects.count() == 2
    assert str(newcomer.pk) in AccessLog.objects.first().detail.split()

    settings.ACCESS_LOG_REPEAT_SECONDS = 0  # every refresh
    client.get(queue, headers={"HX-Request": "true"})
    assert AccessLog.objects.count() == 3


def test_one_booking_shown_is_named_by_its_id(client, counter_day):
    procedure, clerk = counter_day
    booking = booking_today(procedure, clerk)
    client.force_login(clerk.user)

    client.get(reverse("reservations:queue"))

    entry = AccessLog.objects.get()
    assert (entry.object_id, entry.detail) == (str(booking.pk), "")


def test_staff_opening_a_booking_link_is_logged_but_the_citizen_is_not(client, counter_day):
    procedure, clerk = counter_day
    booking = booking_today(procedure, clerk)
    from reservations.services import manage_token_for

    url = reverse("reservations:manage", args=[manage_token_for(booking)])

    assert NAME in client.get(url).content.decode()  # the citizen: not logged
    assert not AccessLog.objects.exists()
    client.force_login(clerk.user)
    client.get(url)

    entry = AccessLog.objects.get()
    assert (entry.user, entry.object_id, entry.view) == (
        clerk.user,
        str(booking.pk),
        "reservations:manage",
    )


def test_a_queue_without_bookings_logs_nothing(client, counter_day):
    _procedure, clerk = counter_day
    client.force_login(clerk.user)

    assert client.get(reverse("reservations:queue")).status_code == 200

    assert not AccessLog.objects.exists()


def test_the_receipt_shows_no_personal_data_and_logs_nothing(client, counter_day):
    from reservations import services as counter_services

    procedure, clerk = counter_day
    booking = booking_today(procedure, clerk)
    visit = counter_services.visit_check_in(reservation=booking, by_staff=clerk).visit
    client.force_login(clerk.user)

    page = client.get(reverse("reservations:receipt", args=[visit.pk])).content.decode()

    assert NAME not in page and PHONE not in page
    assert not AccessLog.objects.exists()


# --- Residents and letters -----------------------------------------------------------


@pytest.fixture
def rule():
    procedure = ProcedureFactory()
    department = DepartmentFactory()
    return notice_rule(procedure, department, code="log-cert", name="証明書")


def due_resident(rule, number, *, postal="123-4567"):
    resident = Resident.objects.create(
        resident_number=number, name=NAME, kana=KANA, postal_code=postal, address_line1=ADDRESS
    )
    expires = timezone.localdate() + dt.timedelta(days=20)
    Certificate.objects.create(
        source_id="C-" + number,
        resident=resident,
        certificate_type=rule.certificate_type,
        issued_on=expires - dt.timedelta(days=182),
        expires_on=expires,
    )
    return resident


@pytest.fixture
def certificate_clerk(client, rule):
    """Staff of the department owning the rule's certificate type (need-to-know)."""
    member = make_staff_member(
        role=Role.DEPARTMENT_STAFF, department=rule.certificate_type.department
    )
    client.force_login(member.user)
    return member


def test_the_letters_overview_logs_every_resident_it_lists(client, rule, certificate_clerk):
    mailable = due_resident(rule, "R-1")
    no_address = due_resident(rule, "R-2", postal="")

    page = client.get(reverse("notices:overview")).content.decode()

    assert NAME in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.object_type, entry.view) == (
        certificate_clerk.user,
        "notices.resident",
        "notices:overview",
    )
    assert sorted(entry.detail.split()) == sorted([str(mailable.pk), str(no_address.pk)])
    assert_no_personal_data([entry])


def test_a_letter_preview_logs_its_resident_but_not_the_sample(client, rule, certificate_clerk):
    preview = reverse("notices:preview", args=[rule.pk])

    resident = due_resident(rule, "R-3")
    client.get(preview)  # a fictitious sample resident, even with someone due
    assert not AccessLog.objects.exists()

    asked = client.get(preview + "?resident=%d" % resident.pk)  # a real one, asked for
    assert asked["Content-Type"] == "application/pdf"
    entry = AccessLog.objects.get()
    assert (entry.object_type, entry.object_id, entry.view) == (
        "notices.resident",
        str(resident.pk),
        "notices:preview",
    )


def test_downloading_a_part_of_letters_logs_its_residents(
    client, rule, certificate_clerk, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    residents = [due_resident(rule, "R-1%d" % n) for n in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = notice_services.letters_create_due(rule=rule, today=timezone.localdate())
    chunk = batch.chunks.get()

    response = client.get(reverse("notices:chunk_pdf", args=[chunk.pk]))

    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AccessLog.objects.get()
    assert (entry.object_type, entry.view) == ("notices.resident", "notices:chunk_pdf")
    assert sorted(entry.detail.split()) == sorted(str(r.pk) for r in residents)


# --- The admin ------------------------------------------------------------------------


@pytest.fixture
def administrator(client):
    member = make_staff_member(role=Role.ADMINISTRATOR)
    client.force_login(member.user)
    return member


def test_an_admin_addition_and_change_are_logged_with_field_names_only(client, administrator):
    response = client.post(
        "/admin/organization/department/add/",
        {"code": "kankyo", "name_ja": "環境課", "display_order": 100},
    )
    assert response.status_code == 302
    department = Department.objects.get(code="kankyo")
    response = client.post(
        "/admin/organization/department/%d/change/" % department.pk,
        {"code": "kankyo", "name_ja": "環境保全課", "phone": PHONE, "display_order": 100},
    )
    assert response.status_code == 302

    added, changed = AccessLog.objects.order_by("id")
    assert (added.kind, added.object_type, added.object_id, added.view, added.user) == (
        AccessKind.ADMIN_ADD,
        "organization.department",
        str(department.pk),
        "admin:organization_department_add",
        administrator.user,
    )
    assert (changed.kind, changed.view) == (
        AccessKind.ADMIN_CHANGE,
        "admin:organization_department_change",
    )
    assert changed.detail  # which fields changed …
    assert "環境保全課" not in changed.detail and PHONE not in changed.detail  # … not to what
    assert LogEntry.objects.count() == 2


def test_an_admin_change_of_a_resident_names_the_fields_not_the_values(client, administrator):
    resident = Resident.objects.create(
        resident_number="R-9", name="旧姓 花子", kana=KANA, address_line1=ADDRESS
    )
    response = client.post(
        "/admin/notices/resident/%d/change/" % resident.pk,
        {
            "resident_number": "R-9",
            "name": NAME,
            "kana": KANA,
            "postal_code": "",
            "address_line1": ADDRESS,
            "address_line2": "",
            "status": resident.status,
            "updated_at_0": "2030-01-01",
            "updated_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    entry = AccessLog.objects.get(kind=AccessKind.ADMIN_CHANGE)
    assert (entry.object_type, entry.object_id) == ("notices.resident", str(resident.pk))
    assert entry.detail
    assert "旧姓" not in entry.detail
    assert_no_personal_data(AccessLog.objects.all())


def test_admin_deletions_one_or_many_are_each_logged_once(client, administrator):
    residents = [
        Resident.objects.create(resident_number="D-%d" % n, name=NAME, kana=KANA) for n in range(3)
    ]
    changelist = "/admin/notices/resident/"

    def delete_selected(chosen, **confirm):
        return client.post(
            changelist,
            {
                "action": "delete_selected",
                "_selected_action": [r.pk for r in chosen],
                **confirm,
            },
        )

    confirmation = delete_selected(residents[:2])  # the "are you sure?" page names them
    assert confirmation.status_code == 200 and NAME in confirmation.content.decode()
    assert delete_selected(residents[:2], post="yes").status_code == 302
    assert delete_selected(residents[2:], post="yes").status_code == 302

    deleted = AccessLog.objects.filter(kind=AccessKind.ADMIN_DELETE)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(
        str(r.pk) for r in residents
    )
    assert {e.object_type for e in deleted} == {"notices.resident"}
    assert not Resident.objects.exists()
    assert LogEntry.objects.count() == 3
    assert_no_personal_data(AccessLog.objects.all())


def test_the_admin_delete_page_of_one_object_is_logged(client, administrator):
    resident = Resident.objects.create(resident_number="D-9", name=NAME, kana=KANA)
    url = "/admin/notices/resident/%d/delete/" % resident.pk

    assert client.post(url, {"post": "yes"}).status_code == 302

    entry = AccessLog.objects.get(kind=AccessKind.ADMIN_DELETE)
    assert (entry.object_type, entry.object_id, entry.view) == (
        "notices.resident",
        str(resident.pk),
        "admin:notices_resident_delete",
    )


def test_admin_pages_showing_residents_or_bookings_are_logged_as_views(client, administrator):
    residents = [
        Resident.objects.create(resident_number="V-%d" % n, name=NAME, kana=KANA) for n in range(2)
    ]

    assert NAME in client.get("/admin/notices/resident/").content.decode()
    assert (
        NAME in client.get("/admin/notices/resident/%d/change/" % residents[0].pk).content.decode()
    )

    listed, opened = AccessLog.objects.order_by("id")
    assert (listed.kind, listed.object_type, listed.view) == (
        AccessKind.PERSONAL_DATA_READ,
        "notices.resident",
        "admin:notices_resident_changelist",
    )
    assert sorted(listed.detail.split()) == sorted(str(r.pk) for r in residents)
    assert (opened.object_id, opened.view) == (
        str(residents[0].pk),
        "admin:notices_resident_change",
    )
    assert_no_personal_data([listed, opened])


# --- Append-only ------------------------------------------------------------------------


def test_the_log_refuses_changes_and_deletes_in_python_and_in_the_database():
    user = make_staff_member().user
    services.access_log_read(user, objects=[user], view="test")
    entry = AccessLog.objects.get()
    table = AccessLog._meta.db_table

    assert_append_only(entry, view="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()
    for statement in (
        "UPDATE %s SET view = 'rewritten'" % table,
        "UPDATE %s SET user_id = user_id" % table,
        "DELETE FROM %s" % table,
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    assert AccessLog.objects.get().view == "test"


# --- Who may read the log -----------------------------------------------------------------


def test_only_administrators_may_read_the_log_and_nobody_may_edit_it(client, administrator):
    services.access_log_read(administrator.user, objects=[administrator], view="test")
    entry = AccessLog.objects.get()

    assert client.get(ACCESS_LOG_ADMIN).status_code == 200
    assert client.get("%s%d/change/" % (ACCESS_LOG_ADMIN, entry.pk)).status_code == 200  # read-only
    assert client.get(ACCESS_LOG_ADMIN + "add/").status_code == 403
    assert client.post("%s%d/change/" % (ACCESS_LOG_ADMIN, entry.pk), {}).status_code == 403
    assert (
        client.post("%s%d/delete/" % (ACCESS_LOG_ADMIN, entry.pk), {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.get().view == "test"
    codenames = set(
        Permission.objects.filter(
            content_type__app_label="organization", content_type__model="accesslog"
        ).values_list("codename", flat=True)
    )
    assert codenames == {"view_accesslog"}


def test_managers_and_clerks_cannot_see_the_log(client):
    manager = make_staff_member(role=Role.MANAGER)
    client.force_login(manager.user)
    assert client.get(ACCESS_LOG_ADMIN).status_code == 403
    assert "accesslog" not in client.get("/admin/").content.decode()

    # Given the permission by mistake, a manager still sees nothing.
    manager.user.user_permissions.add(
        Permission.objects.get(content_type__app_label="organization", codename="view_accesslog")
    )
    client.force_login(type(manager.user).objects.get(pk=manager.user.pk))
    assert client.get(ACCESS_LOG_ADMIN).status_code == 403

    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)
    response = client.get(ACCESS_LOG_ADMIN)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_superuser_may_read_the_log(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-secret-1"))

    assert client.get(ACCESS_LOG_ADMIN).status_code == 200


def test_the_log_is_searched_by_an_object_id_also_inside_list_entries(client, administrator):
    viewer = make_staff_member(username="kiroku", first_name="記録").user  # no digits
    seen = [make_staff_member().user for _ in range(3)]
    services.access_log_read(viewer, objects=seen[:1], view="one")  # object_id
    services.access_log_read(viewer, objects=seen[1:], view="list")  # ids in detail

    def found(term):
        page = client.get(ACCESS_LOG_ADMIN, {"q": term})
        return sorted(entry.view for entry in page.context["cl"].result_list)

    assert found(str(seen[0].pk)) == ["one"]
    assert found(str(seen[2].pk)) == ["list"]
    assert found("kiroku") == ["list", "one"]
    assert found("999999") == []


def test_the_change_summary_keeps_field_names_and_drops_object_names():
    message = (
        '[{"changed": {"fields": ["Name"]}}, '
        '{"added": {"name": "certificate", "object": "%s (R-1)"}}]' % NAME
    )

    summary = services.change_summary(message)

    assert summary and NAME not in summary
    assert services.change_summary("free text from custom code: %s" % NAME) == ""
    assert services.change_summary("") == ""
