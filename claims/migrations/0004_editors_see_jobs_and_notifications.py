"""Editors may read the notification log and the background jobs' latest runs (both read-only
in the admin: only the jobs write them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_PERMISSIONS = ["view_notification", "view_job"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations run; make sure they exist now.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="claims", codename__in=VIEW_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="claims", codename__in=VIEW_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0003_notifications_and_jobs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
