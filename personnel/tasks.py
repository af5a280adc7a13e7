from celery import shared_task

from personnel.coverage import coverage_record


@shared_task(name="personnel.record_coverage", acks_late=True)
def record_coverage_task() -> int:
    # Idempotent: one row per (area, day), rewritten by a second run.
    return coverage_record()
