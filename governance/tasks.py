from celery import shared_task


@shared_task(name="governance.ping")
def ping() -> str:
    """Round-trips through the broker: proves a worker is alive (`manage.py celery_ping`)."""
    return "pong"
