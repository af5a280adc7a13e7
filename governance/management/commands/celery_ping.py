from django.core.management.base import BaseCommand, CommandError

from governance.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=20)
        parser.add_argument(
            "--queue",
            default=None,
            help="Ask the workers of this queue (default: the default queue).",
        )

    def handle(self, *args, timeout, queue, **options):
        try:
            answer = ping.apply_async(queue=queue).get(timeout=timeout)
        except Exception as error:
            raise CommandError(f"No worker answered within {timeout:g} s: {error!r}") from error
        self.stdout.write(self.style.SUCCESS(f"worker answered: {answer}"))
