"""Roles as Django groups, and the permissions each group carries.

Group names are data shown in the Japanese admin; code finds a role's group through
``ROLE_GROUP_NAMES``, never by typing the name. Each app states the permissions its
roles carry in its own ``roles.py`` (a ``ROLE_PERMISSIONS`` mapping, like this
module's for organization and the third-party apps it configures);
``role_permissions`` gathers them from every installed app, without this app naming
any other, and ``role_groups_ensure`` (run after every migrate) applies them.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from organization.models import Role

ROLE_GROUP_NAMES = {
    Role.COUNTER_STAFF: "窓口職員",
    Role.DEPARTMENT_STAFF: "担当課職員",
    Role.MANAGER: "管理職",
    Role.ADMINISTRATOR: "システム管理者",
}

# "app_label.codename" for each role. A codename of a model that does not exist yet is
# skipped, so a mapping may name permissions of apps migrated later.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTER_STAFF: [
        "organization.view_department",
    ],
    Role.DEPARTMENT_STAFF: [
        "organization.view_department",
    ],
    Role.MANAGER: [
        "organization.view_department",
        "organization.view_staffmember",
    ],
    Role.ADMINISTRATOR: [
        "organization.add_department",
        "organization.change_department",
        "organization.delete_department",
        "organization.view_department",
        "organization.add_staffmember",
        "organization.change_staffmember",
        "organization.delete_staffmember",
        "organization.view_staffmember",
        # The city's name, logo, contact and the privacy and accessibility texts.
        "organization.view_sitesettings",
        "organization.change_sitesettings",
        # The readings (furigana) of words on the plain-Japanese pages.
        "organization.add_readingcorrection",
        "organization.change_readingcorrection",
        "organization.delete_readingcorrection",
        "organization.view_readingcorrection",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        # Remove a lost authenticator so its owner enrols a new one.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        # The access log of personal-data views and admin changes: administrators only.
        "organization.view_accesslog",
    ],
}


def model_permissions(app_label: str, models: tuple[str, ...], actions: tuple[str, ...]):
    """ "app_label.action_model" for each model and action, for an app's ROLE_PERMISSIONS."""
    return ["%s.%s_%s" % (app_label, action, model) for model in models for action in actions]


def role_permissions() -> dict[Role, list[str]]:
    """Every role's permissions ("app_label.codename"), from the ``ROLE_PERMISSIONS`` of
    each installed app's ``roles`` module, in the order of INSTALLED_APPS."""
    gathered: dict[Role, list[str]] = {role: [] for role in ROLE_GROUP_NAMES}
    for app_config in apps.get_app_configs():
        if not module_has_submodule(app_config.module, "roles"):
            continue
        grants = getattr(import_module("%s.roles" % app_config.name), "ROLE_PERMISSIONS", {})
        for role, permissions in grants.items():
            gathered[Role(role)].extend(permissions)
    return gathered
