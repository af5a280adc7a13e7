import sys

from django.core.management.base import BaseCommand
from django.db.models import F

from grids.importing import write_area_csv
from grids.models import Area
from grids.tree import in_order


class Command(BaseCommand):
    help = "Write every area as CSV (the import format) to a file or standard output."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="default: standard output")

    def handle(self, *args, file=None, **options):
        areas = in_order(Area.objects.annotate(parent_code=F("parent__code"))).iterator(5000)
        if file:
            with open(file, "w", encoding="utf-8", newline="") as stream:
                count = write_area_csv(areas, stream)
            self.stderr.write(f"{count} areas written to {file}")
        else:
            write_area_csv(areas, sys.stdout)
