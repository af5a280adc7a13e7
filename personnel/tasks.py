from celery import shared_task

from personnel.services.coverage import coverage_record
from personnel.services.staff import logins_sync_due


@shared_task(name="personnel.record_coverage", acks_late=True, reject_on_worker_lost=True)
def record_coverage_task() -> int:
    # Idempotent: one row per (area, day), rewritten by a second run.
    return coverage_record()


@shared_task(name="personnel.sync_logins", acks_late=True, reject_on_worker_lost=True)
def sync_logins_task() -> int:
    # Posts that start or end today change their holders' logins today. Idempotent.
    return logins_sync_due()
