"""Encrypt the phones and ID numbers of case parties stored in plain text inside the JSON
before 0016: in batches of rows, each its own transaction, so that an interrupted run
continues when run again (values already encrypted are recognised and left)."""

from django.db import migrations

from governance.platform.personal_data import encrypt_table_in_batches


def encrypt_plain(apps, schema_editor):
    encrypt_table_in_batches(
        schema_editor.connection,
        table=apps.get_model("disputes", "Case")._meta.db_table,
        columns=(),
        json_parties="parties",
    )


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch: resumable

    dependencies = [("disputes", "0016_case_parties_encrypted")]

    operations = [migrations.RunPython(encrypt_plain, migrations.RunPython.noop, elidable=True)]
