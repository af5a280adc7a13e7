"""Django's flush, able to empty the audit table on SQLite too.

On SQLite flush empties tables with DELETE, which the audit table's triggers refuse; this
lifts them for the flush and puts them back (on PostgreSQL flush TRUNCATEs, which row
triggers do not see). Tests that run in real transactions flush after each test."""

from django.core.management.commands import flush
from django.db import connections

from audit.db import TABLE, install_triggers, remove_triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        audited = connection.vendor == "sqlite" and TABLE in connection.introspection.table_names()
        if not audited:
            return super().handle(**options)
        remove_triggers(connection)
        try:
            return super().handle(**options)
        finally:
            install_triggers(connection)
