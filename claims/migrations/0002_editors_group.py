"""The "Editors" group, with exactly the permissions editors need.

Editors read everything, keep sources and claims up to date, add and correct evidence, and record
or withdraw verdicts (`resolve_claim`). They cannot delete claims or sources (a claim is
resolved, not removed) nor touch users or the lifecycle's transition log.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "registry": ["view_outlet", "add_outlet", "change_outlet",
                 "view_article", "add_article", "change_article",
                 "view_entity", "add_entity", "change_entity",
                 "view_topic", "add_topic", "change_topic"],
    "claims": ["view_claim", "add_claim", "change_claim", "resolve_claim",
               "view_evidence", "add_evidence", "change_evidence", "delete_evidence",
               "view_transition", "view_historicalclaim", "view_historicalevidence"],
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations run; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    wanted = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in EDITOR_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("registry", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
