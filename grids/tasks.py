from celery import shared_task


@shared_task(name="grids.remind_visits", acks_late=True)
def remind_visits_task() -> int:
    # Idempotent: each resident's due date is told once (reminded_for), so a redelivered
    # or second run sends nothing more.
    from grids.visits import visit_reminders_send

    return visit_reminders_send()
