import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task options, the same everywhere: a task that is idempotent (a second run changes
# nothing: set-based sweeps, claimed rows) takes acks_late=True and
# reject_on_worker_lost=True, so a worker killed mid-run (a deploy, the OOM killer) leaves
# its message to be run again by another; only those, since a redelivery repeats the work.
