"""The outbox permissions each role carries (gathered by ``organization.roles``)."""

from organization.models import Role

ROLE_PERMISSIONS = {
    # The e-mail outbox: see what failed and send it again.
    Role.ADMINISTRATOR: ["outbox.view_email", "outbox.change_email"],
}
