from celery import shared_task

from points.services import points_count_due


@shared_task(name="points.count_due", acks_late=True, reject_on_worker_lost=True)
def count_due() -> int:
    # One UPDATE over the items whose notice ended: safe to run twice, from two workers.
    return points_count_due()
