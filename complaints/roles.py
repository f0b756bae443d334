"""The complaints permissions each role carries (gathered by ``organization.roles``):
managers edit the severity policy and the categories, administrators also delete."""

from organization.models import Role
from organization.roles import model_permissions

_REFERENCE_DATA = ("severityweight", "severitylevel", "category", "knowledgesynonym")

ROLE_PERMISSIONS = {
    Role.MANAGER: model_permissions("complaints", _REFERENCE_DATA, ("add", "change", "view")),
    Role.ADMINISTRATOR: model_permissions(
        "complaints", _REFERENCE_DATA, ("add", "change", "delete", "view")
    ),
}
