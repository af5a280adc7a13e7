from celery import shared_task


@shared_task(name="governance.ping")
def ping() -> str:
    """Round-trips through the broker: proves a worker is alive (`manage.py celery_ping`)."""
    return "pong"


@shared_task(name="governance.compute_rankings", acks_late=True, reject_on_worker_lost=True)
def compute_rankings_task() -> int:
    # Last month's ranking into its draft (beat runs it on the 1st). Idempotent: a second
    # run rewrites the draft; a published month is left as it is.
    from governance.rankings import rankings_compute_all
    from personnel.evaluations import last_month

    return len(rankings_compute_all(month=last_month()))


@shared_task(name="governance.campaign_deadlines", acks_late=True, reject_on_worker_lost=True)
def campaign_deadlines() -> dict:
    # Both halves are safe to run twice and from two workers: the reminder is claimed per
    # campaign by a conditional UPDATE, the finish is one UPDATE over running campaigns.
    from governance.campaigns import campaigns_finish_due, campaigns_remind_before_deadline

    return {
        "reminded": campaigns_remind_before_deadline(),
        "finished": campaigns_finish_due(),
    }
