from celery import shared_task

from disputes.services.sweeps import escalate_overdue, warn_deadlines, warn_supervision


@shared_task(name="disputes.escalate_overdue", acks_late=True, reject_on_worker_lost=True)
def escalate_overdue_task() -> dict:
    # Idempotent and set-based, so a redelivered run changes nothing twice.
    return escalate_overdue()


@shared_task(name="disputes.warn_deadlines", acks_late=True, reject_on_worker_lost=True)
def warn_deadlines_task() -> int:
    # Idempotent: a case is warned once per level (its flag is set where it is claimed).
    return warn_deadlines()


@shared_task(name="disputes.warn_supervision", acks_late=True, reject_on_worker_lost=True)
def warn_supervision_task() -> int:
    # Idempotent: each supervision deadline is told of once near and once passed.
    return warn_supervision()
