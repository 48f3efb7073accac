from django.db import migrations, models


def create_registry_epoch(apps, schema_editor):
    apps.get_model("claims", "ResponseCacheEpoch").objects.get_or_create(name="registry")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_notification_due_episode"),
    ]

    operations = [
        migrations.CreateModel(
            name="ResponseCacheEpoch",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=1)),
            ],
        ),
        migrations.RunPython(create_registry_epoch, migrations.RunPython.noop),
    ]
