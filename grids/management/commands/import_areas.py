from django.core.management.base import BaseCommand, CommandError

from grids.importing import read_area_file
from grids.services import AreaImportError, areas_import


class Command(BaseCommand):
    help = (
        "Import areas from a CSV or XLSX file with columns code, name, level, parent_code, "
        "kind, households, residents. Any bad row stops the whole import."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as stream:
                rows = read_area_file(stream, file)
            result = areas_import(rows=rows, actor=None)  # the operator, at the console
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except AreaImportError as error:
            for line, message in error.errors:
                self.stderr.write(f"line {line}: {message}" if line else message)
            raise CommandError(
                f"{len(error.errors)} problem(s) found; nothing was imported."
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )
