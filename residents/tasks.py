from celery import shared_task

from residents.services.retention import residents_erase_expired
from residents.services.visits import visit_reminders_send


@shared_task(name="grids.remind_visits", acks_late=True, reject_on_worker_lost=True)
def remind_visits_task() -> int:
    # Idempotent: each resident's due date is told once (reminded_for), so a redelivered
    # or second run sends nothing more.

    return visit_reminders_send()


@shared_task(name="grids.erase_expired_personal_data", acks_late=True, reject_on_worker_lost=True)
def erase_expired_personal_data_task() -> int:
    # Idempotent: an erased person is no longer selected, so a redelivery erases nothing more.

    return residents_erase_expired()
