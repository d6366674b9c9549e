"""Load the demo catalog shipped in the repo. Safe to re-run: unchanged records write nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.importing import artifacts_import

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "artifacts.jsonl"


class Command(BaseCommand):
    help = "Import the demo artifacts (catalog/demo/artifacts.jsonl)."

    def handle(self, *args, **options):
        with DEMO_FILE.open(encoding="utf-8") as lines:
            report = artifacts_import(lines=lines, atomic=True)
        for issue in report.errors:
            self.stderr.write(str(issue))
        if not report.ok:
            raise CommandError("The demo file has errors; nothing was written.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}, links resolved {report.links_resolved}."
            )
        )
