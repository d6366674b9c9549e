from django.core.management.base import BaseCommand

from catalog.search_index import artifacts_refresh_search


class Command(BaseCommand):
    help = "Rebuild every artifact's full-text search document."

    def handle(self, *args, **options):
        count = artifacts_refresh_search()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search documents of {count} artifacts."))
