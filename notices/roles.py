"""The notices permissions each role carries (gathered by ``organization.roles``)."""

from organization.models import Role
from organization.roles import model_permissions

ROLE_PERMISSIONS = {
    Role.MANAGER: [
        "notices.view_certificatetype",
        "notices.view_resident",
        "notices.view_certificate",
        "notices.view_importrun",
    ],
    Role.ADMINISTRATOR: [
        *model_permissions(
            "notices",
            ("certificatetype", "resident", "certificate", "noticerule", "letter"),
            ("add", "change", "delete", "view"),
        ),
        "notices.view_importrun",
    ],
}
