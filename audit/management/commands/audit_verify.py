from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Walk the audit log's hash chain and name the first entry that does not hold."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.intact:
            raise CommandError(
                f"The audit chain is broken at entry {report.broken_id}: {report.reason} "
                f"({report.checked} entries before it hold)."
            )
        self.stdout.write(
            f"The audit chain holds: {report.checked} entries checked, last hash {report.head}."
        )
