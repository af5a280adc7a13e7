"""Register a county's video platform and print its API key (shown this once)."""

from django.core.management.base import BaseCommand, CommandError

from cameras.services.ingestion import platform_create
from grids.models import Area, AreaLevel


class Command(BaseCommand):
    help = "Register a county's video platform and print its API key once."

    def add_arguments(self, parser):
        parser.add_argument("county_code")
        parser.add_argument("name")

    def handle(self, *args, county_code: str, name: str, **options):
        county = Area.objects.filter(code=county_code, level=AreaLevel.COUNTY).first()
        if county is None:
            raise CommandError(f"no county with code {county_code}")
        platform, key = platform_create(county=county, name=name, actor=None)
        self.stdout.write(f"platform {platform.pk} for {county.name}: X-Platform-Key {key}")
