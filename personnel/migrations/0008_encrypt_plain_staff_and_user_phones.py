"""Encrypt the ID numbers and phones stored in plain text before 0007, and fill their keyed
hashes: in batches of rows, each its own transaction, so that an interrupted run continues
where it stopped when run again (values already encrypted are recognised and left)."""

from django.db import migrations

from governance.platform.personal_data import ID_NUMBER, PHONE, encrypt_table_in_batches


def encrypt_plain(apps, schema_editor):
    connection = schema_editor.connection
    encrypt_table_in_batches(
        connection,
        table=apps.get_model("personnel", "Staff")._meta.db_table,
        columns=("id_number", "phone"),
        hashes={"id_number_hash": ("id_number", ID_NUMBER), "phone_hash": ("phone", PHONE)},
    )
    encrypt_table_in_batches(
        connection, table=apps.get_model("personnel", "User")._meta.db_table, columns=("phone",)
    )


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch: resumable

    dependencies = [("personnel", "0007_staff_personal_data_encrypted")]

    operations = [migrations.RunPython(encrypt_plain, migrations.RunPython.noop, elidable=True)]
