"""The complaints permissions each role carries (gathered by ``organization.roles``):
managers edit the severity policy and the categories, administrators also delete."""

from organization.models import Role

_REFERENCE_DATA = ("severityweight", "severitylevel", "category")

ROLE_PERMISSIONS = {
    Role.MANAGER: [
        "complaints.%s_%s" % (action, model)
        for model in _REFERENCE_DATA
        for action in ("add", "change", "view")
    ],
    Role.ADMINISTRATOR: [
        "complaints.%s_%s" % (action, model)
        for model in _REFERENCE_DATA
        for action in ("add", "change", "delete", "view")
    ],
}
