from celery import shared_task

from disputes.sweeps import escalate_overdue


@shared_task(name="disputes.escalate_overdue", acks_late=True)
def escalate_overdue_task() -> dict:
    # Idempotent and set-based, so a redelivered run changes nothing twice.
    return escalate_overdue()
