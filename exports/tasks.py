from celery import shared_task

from exports.services import export_write as write


# The job is claimed before it is written: a redelivered message finds it claimed and
# skips it, so acks_late costs nothing and a worker killed mid-write loses no request.
@shared_task(name="exports.write", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_write(job_id: int) -> str:
    return write(job_id=job_id)
