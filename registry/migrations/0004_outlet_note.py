"""Outlet.note: an editor's note about an outlet, which two seed outlets carried in their name.

Databases loaded from the earlier seed keep those names (the seed loader never overwrites a
row), so the same two rows are split here, if their name is still the seed's.
"""

from django.db import migrations, models

# slug: (the name the seed gave, the name, the note): as in claims/seed/registry.yaml.
SPLIT = {
    "the-robotics-briefing": (
        'The Robotics Briefing ("China Robotics & AI" section; the site\'s name is not given in '
        "the text)",
        "The Robotics Briefing",
        'The text names only its section, "China Robotics & AI"; the site\'s name is not given '
        "in the text.",
    ),
    "stale-pivot": (
        "Stale Pivot (stalepivot.com)",
        "Stale Pivot",
        "Named from the site's address, stalepivot.com; the text does not name the site.",
    ),
}


def split_notes_from_names(apps, schema_editor):
    Outlet = apps.get_model("registry", "Outlet")
    for slug, (seeded, name, note) in SPLIT.items():
        Outlet.objects.filter(slug=slug, name=seeded, note="").update(name=name, note=note)


def join_notes_to_names(apps, schema_editor):
    Outlet = apps.get_model("registry", "Outlet")
    for slug, (seeded, name, note) in SPLIT.items():
        Outlet.objects.filter(slug=slug, name=name, note=note).update(name=seeded, note="")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_article_source_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="outlet",
            name="note",
            field=models.TextField(
                blank=True,
                default="",
                db_default="",
                help_text="For editors, never shown as the name: where the name comes from, what "
                "the articles leave unsaid about the outlet.",
            ),
        ),
        migrations.RunPython(split_notes_from_names, join_notes_to_names),
    ]
