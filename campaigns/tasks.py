from celery import shared_task

from campaigns.services.campaigns import campaigns_finish_due, campaigns_remind_before_deadline


@shared_task(name="governance.campaign_deadlines", acks_late=True, reject_on_worker_lost=True)
def campaign_deadlines() -> dict:
    # Both halves are safe to run twice and from two workers: the reminder is claimed per
    # campaign by a conditional UPDATE, the finish is one UPDATE over running campaigns.
    return {
        "reminded": campaigns_remind_before_deadline(),
        "finished": campaigns_finish_due(),
    }
