"""The reviewer group: vetting and request review in the admin, and nothing about money or users.

Other apps append their review permissions to REVIEWER_PERMISSIONS; post_migrate keeps the group in sync.
"""
from django.apps import apps as global_apps

REVIEWER_GROUP = "Reviewers"

REVIEWER_PERMISSIONS: list[str] = [
    "accounts.view_providerapplication",
    "accounts.change_providerapplication",
    "accounts.view_providerapplicationdecision",
    "accounts.view_organizationverification",
    "accounts.change_organizationverification",
    "accounts.view_organizationverificationdecision",
    "accounts.view_organization",
    "accounts.view_auditevent",
]


def sync_reviewer_group(sender=None, apps=global_apps, **kwargs) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    wanted = []
    for dotted in REVIEWER_PERMISSIONS:
        app_label, codename = dotted.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            wanted.append(perm)
    group.permissions.set(wanted)
