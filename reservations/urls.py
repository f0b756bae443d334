from django.urls import path, register_converter

from reservations import converters
from reservations.views import booking as views
from reservations.views import counter as counter_views
from reservations.views import kiosk as kiosk_views
from reservations.views import manage as manage_views
from reservations.views import survey as survey_views

register_converter(converters.IsoDateConverter, "isodate")
register_converter(converters.HourMinuteConverter, "hhmm")

app_name = "reservations"

# The same booking steps serve citizens (book/…) and staff booking for a caller
# (staff/phone-booking/…, staff login required).
steps = [
    ("", views.procedure_list, "procedures"),
    ("<slug:code>/", views.procedure_calendar, "calendar"),
    ("<slug:code>/<isodate:day>/", views.procedure_day, "day"),
    ("<slug:code>/<isodate:day>/<hhmm:hhmm>/", views.booking_details, "details"),
]

urlpatterns = [
    *(path("book/" + route, view, name=name) for route, view, name in steps),
    *(
        path("staff/phone-booking/" + route, view, {"staff_mode": True}, name="staff_" + name)
        for route, view, name in steps
    ),
    path("booking/find/", manage_views.find, name="find"),
    path("booking/<str:token>/", manage_views.manage, name="manage"),
    path("booking/<str:token>/cancel/", manage_views.cancel, name="cancel"),
    path("booking/<str:token>/confirm/", manage_views.confirm, name="confirm"),
    path(
        "booking/<str:token>/confirm/<str:key>/",
        manage_views.confirm,
        name="confirm_from_email",
    ),
    path("booking/<str:token>/reschedule/", manage_views.reschedule, name="reschedule"),
    path(
        "booking/<str:token>/reschedule/<isodate:day>/<hhmm:hhmm>/",
        manage_views.reschedule_confirm,
        name="reschedule_confirm",
    ),
    path("booking/<str:token>/calendar.ics", manage_views.ics, name="ics"),
    # The counter
    path("counter/", counter_views.queue, name="queue"),
    path("counter/call-next/", counter_views.call_next, name="call_next"),
    path("counter/check-in/", counter_views.staff_check_in, name="staff_check_in"),
    path(
        "counter/visits/<int:visit_id>/<str:action>/",
        counter_views.visit_action,
        name="visit_action",
    ),
    path("counter/visits/<int:visit_id>/receipt", counter_views.receipt, name="receipt"),
    path("counter/kiosk/", kiosk_views.kiosk, name="kiosk"),
    path("counter/kiosk/enrol/", kiosk_views.kiosk_enrol, name="kiosk_enrol"),
    path("counter/kiosk/privacy/", kiosk_views.kiosk_privacy, name="kiosk_privacy"),
    path("counter/kiosk/walk-in/<slug:code>/", kiosk_views.kiosk_walk_in, name="kiosk_walk_in"),
    path("display/", counter_views.display, name="display"),
    path("display/board/", counter_views.display_board, name="display_board"),
    path("survey/<str:token>/", survey_views.survey, name="survey"),
    path("survey/<str:token>/thanks/", survey_views.survey_thanks, name="survey_thanks"),
]
