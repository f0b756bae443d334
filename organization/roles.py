"""Roles as Django groups, and the permissions each group carries.

Group names are data shown in the Japanese admin; code finds a role's group through
``ROLE_GROUP_NAMES``, never by typing the name. Later apps add their permissions to
``ROLE_PERMISSIONS``; ``role_groups_ensure`` (run after every migrate) applies them.
"""

from organization.models import Role

ROLE_GROUP_NAMES = {
    Role.COUNTER_STAFF: "窓口職員",
    Role.DEPARTMENT_STAFF: "担当課職員",
    Role.MANAGER: "管理職",
    Role.ADMINISTRATOR: "システム管理者",
}

# "app_label.codename" for each role. A codename of a model that does not exist yet is
# skipped, so the mapping may name permissions of apps migrated later.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNTER_STAFF: [
        "organization.view_department",
        "reservations.view_procedure",
        "reservations.view_reservation",
        "reservations.view_shift",
    ],
    Role.DEPARTMENT_STAFF: [
        "organization.view_department",
    ],
    Role.MANAGER: [
        "organization.view_department",
        "organization.view_staffmember",
        "reservations.view_procedure",
        "reservations.view_reservation",
        "reservations.add_shift",
        "reservations.change_shift",
        "reservations.delete_shift",
        "reservations.view_shift",
        "reservations.add_closedday",
        "reservations.change_closedday",
        "reservations.view_closedday",
        "notices.view_certificatetype",
        "notices.view_resident",
        "notices.view_certificate",
        "notices.view_importrun",
        *(
            "complaints.%s_%s" % (action, model)
            for model in ("severityweight", "severitylevel", "category")
            for action in ("add", "change", "view")
        ),
        "dashboards.view_target",
        "dashboards.view_quarteraction",
        "dashboards.view_quarterreview",
        "reservations.view_surveyanswer",
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
        *(
            "reservations.%s_%s" % (action, model)
            for model in ("procedure", "documentrule", "counter", "shift", "closedday")
            for action in ("add", "change", "delete", "view")
        ),
        "reservations.view_reservation",
        # The e-mail outbox: see what failed and send it again.
        "outbox.view_email",
        "outbox.change_email",
        # List the enrolled kiosks and revoke one (they are enrolled from the tablet).
        "reservations.view_kioskdevice",
        "reservations.change_kioskdevice",
        *(
            "notices.%s_%s" % (action, model)
            for model in ("certificatetype", "resident", "certificate", "noticerule", "letter")
            for action in ("add", "change", "delete", "view")
        ),
        "notices.view_importrun",
        *(
            "complaints.%s_%s" % (action, model)
            for model in ("severityweight", "severitylevel", "category")
            for action in ("add", "change", "delete", "view")
        ),
        # The access log of personal-data views and admin changes: administrators only.
        "organization.view_accesslog",
    ],
}
