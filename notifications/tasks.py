from celery import shared_task

from notifications.services import deliveries_send, deliveries_stale


# ignore_result: the web request that sends this task after commit must not wait on the
# result store; with Redis down, subscribing to the result took 20 s and then broke the
# process's result consumer for good ("The Celery application must be restarted").
@shared_task(
    bind=True,
    name="notifications.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def deliver(self, delivery_ids: list[int]) -> dict:
    """Send the outgoing messages of these deliveries. Each row is claimed before it is
    sent, so a redelivered task or a second worker sends nothing twice; the attempts
    are counted on the rows, which give up after MAX_ATTEMPTS. A worker killed mid-send
    leaves its rows claimed: the task comes back (reject_on_worker_lost) but skips them,
    and deliver_pending sends them once the claim's lease has run out."""
    result = deliveries_send(ids=delivery_ids)
    if result.retry:
        raise self.retry(args=[result.retry], countdown=result.retry_in.total_seconds())
    return result.counts()


@shared_task(name="notifications.deliver_pending", acks_late=True, reject_on_worker_lost=True)
def deliver_pending() -> dict:
    # The safety net: deliveries whose task was lost (broker down at commit time, a
    # retry dropped) are sent here; a failure waits for the next run.
    return deliveries_send(ids=deliveries_stale()).counts()
