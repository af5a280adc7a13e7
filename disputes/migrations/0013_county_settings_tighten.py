import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0012_county_settings_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="category",
            name="county",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="grids.area",
                verbose_name="county",
            ),
        ),
        migrations.AlterField(
            model_name="deadlinerule",
            name="county",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="grids.area",
                verbose_name="county",
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("county", "code"), name="category_unique_per_county"
            ),
        ),
        migrations.AddConstraint(
            model_name="deadlinerule",
            constraint=models.UniqueConstraint(
                condition=models.Q(("category__isnull", True)),
                fields=("county", "severity", "level"),
                name="deadline_rule_unique_default",
            ),
        ),
    ]
