"""Keep the role groups' permissions in step with the code after every migrate.

This mirrors how Django itself creates permissions (a post_migrate handler); it is
set-up, not a business workflow.
"""


def ensure_role_groups(sender, **kwargs):
    from organization.services import role_groups_ensure

    role_groups_ensure()
