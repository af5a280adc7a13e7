from celery import shared_task

from notifications.services import deliveries_send, deliveries_stale


@shared_task(bind=True, name="notifications.deliver", acks_late=True, max_retries=None)
def deliver(self, delivery_ids: list[int]) -> dict:
    """Send the outgoing messages of these deliveries. Each row is claimed before it is
    sent, so a redelivered task or a second worker sends nothing twice; the attempts
    are counted on the rows, which give up after MAX_ATTEMPTS."""
    result = deliveries_send(ids=delivery_ids)
    if result.retry:
        raise self.retry(args=[result.retry], countdown=result.retry_in.total_seconds())
    return result.counts()


@shared_task(name="notifications.deliver_pending", acks_late=True)
def deliver_pending() -> dict:
    # The safety net: deliveries whose task was lost (broker down at commit time, a
    # retry dropped) are sent here; a failure waits for the next run.
    return deliveries_send(ids=deliveries_stale()).counts()
