"""The reservations permissions each role carries (gathered by ``organization.roles``)."""

from organization.models import Role
from organization.roles import model_permissions

ROLE_PERMISSIONS = {
    Role.COUNTER_STAFF: [
        "reservations.view_procedure",
        "reservations.view_reservation",
        "reservations.view_shift",
    ],
    Role.MANAGER: [
        "reservations.view_procedure",
        "reservations.view_reservation",
        "reservations.add_shift",
        "reservations.change_shift",
        "reservations.delete_shift",
        "reservations.view_shift",
        "reservations.add_closedday",
        "reservations.change_closedday",
        "reservations.view_closedday",
        "reservations.view_surveyanswer",
    ],
    Role.ADMINISTRATOR: [
        *model_permissions(
            "reservations",
            (
                "procedure",
                "documentrule",
                "procedurequestion",
                "questionchoice",
                "counter",
                "shift",
                "closedday",
            ),
            ("add", "change", "delete", "view"),
        ),
        "reservations.view_reservation",
        # List the enrolled kiosks and revoke one (they are enrolled from the tablet).
        "reservations.view_kioskdevice",
        "reservations.change_kioskdevice",
    ],
}
