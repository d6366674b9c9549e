from django.core.management.base import BaseCommand

from matchgraph.search.vocabulary import vocabulary_rebuild


class Command(BaseCommand):
    help = "Rebuild the search vocabulary (spelling correction, rare-word weights)."

    def handle(self, *args, **options):
        report = vocabulary_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.terms} words and {report.lexemes} lexemes "
                f"from {report.documents} artifacts."
            )
        )
