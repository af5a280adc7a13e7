from django.db import migrations

from disputes.defaults import DEFAULT_CATEGORIES



def add_categories(apps, schema_editor):
    Category = apps.get_model("disputes", "Category")
    for order, (kind, code, name) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"kind": kind, "name": name,
                                                            "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
