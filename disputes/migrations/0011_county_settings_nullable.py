# Case categories and deadline rules become per county, in three steps (add nullable,
# backfill, tighten), each its own transaction: PostgreSQL refuses to alter a table that
# has rows written in the same transaction and constraints still to check.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0010_case_lean_indexes"),
        ("grids", "0006_resident_erased_on"),
    ]

    operations = [
        # Each county gets a copy of the shared rows: the same codes, the same default rules.
        migrations.RemoveConstraint(
            model_name="deadlinerule",
            name="deadline_rule_unique_default",
        ),
        migrations.AlterField(
            model_name="category",
            name="code",
            field=models.SlugField(db_index=False, max_length=40, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="category",
            name="county",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="grids.area",
                verbose_name="county",
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="county",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="grids.area",
                verbose_name="county",
            ),
        ),
    ]
