"""The dashboards permissions each role carries (gathered by ``organization.roles``)."""

from organization.models import Role

ROLE_PERMISSIONS = {
    Role.MANAGER: [
        "dashboards.view_target",
        "dashboards.view_quarteraction",
        "dashboards.view_quarterreview",
    ],
}
