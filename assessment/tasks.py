from celery import shared_task

from assessment.services.evaluations import evaluations_compute
from assessment.services.rankings import rankings_compute_all
from governance.platform.months import last_month


@shared_task(name="governance.compute_rankings", acks_late=True, reject_on_worker_lost=True)
def compute_rankings_task() -> int:
    # Last month's ranking into its draft (beat runs it on the 1st). Idempotent: a second
    # run rewrites the draft; a published month is left as it is.
    return len(rankings_compute_all(month=last_month()))


@shared_task(name="personnel.evaluate_staff", acks_late=True, reject_on_worker_lost=True)
def evaluate_staff_task() -> int:
    # Last month's evaluations (beat runs it on the 1st). Idempotent: a redelivered or
    # second run rewrites nothing and keeps the supervisors' scores.
    return evaluations_compute(month=last_month())
