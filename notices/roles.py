"""The notices permissions each role carries (gathered by ``organization.roles``)."""

from organization.models import Role

ROLE_PERMISSIONS = {
    Role.MANAGER: [
        "notices.view_certificatetype",
        "notices.view_resident",
        "notices.view_certificate",
        "notices.view_importrun",
    ],
    Role.ADMINISTRATOR: [
        *(
            "notices.%s_%s" % (action, model)
            for model in ("certificatetype", "resident", "certificate", "noticerule", "letter")
            for action in ("add", "change", "delete", "view")
        ),
        "notices.view_importrun",
    ],
}
