"""Encrypt the delivery addresses (phones) stored in plain text before 0007, in batches;
resumable like every such migration (values already encrypted are left)."""

from django.db import migrations

from governance.platform.personal_data import encrypt_table_in_batches


def encrypt_plain(apps, schema_editor):
    encrypt_table_in_batches(
        schema_editor.connection,
        table=apps.get_model("notifications", "Delivery")._meta.db_table,
        columns=("phone",),
    )


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch: resumable

    dependencies = [("notifications", "0007_delivery_phone_encrypted")]

    operations = [migrations.RunPython(encrypt_plain, migrations.RunPython.noop, elidable=True)]
