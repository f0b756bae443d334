from django.urls import path, register_converter

from reservations import converters, views

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
    path("booking/<str:token>/", views.manage, name="manage"),
    path("booking/<str:token>/cancel/", views.cancel, name="cancel"),
    path("booking/<str:token>/confirm/", views.confirm, name="confirm"),
    path("booking/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("booking/<str:token>/calendar.ics", views.ics, name="ics"),
]
