"""Recompute UnfragileRank from the shell: every artifact (default) or one."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.models import Artifact
from ranking.services import RankRunInProgress, rank_recompute_all, rank_recompute_artifact


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = "Score every published artifact into a new ranking run and make it current."

    def add_arguments(self, parser):
        parser.add_argument(
            "--artifact", metavar="SLUG", help="Re-score one artifact in the current run."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compute and report, then roll everything back.",
        )

    def handle(self, *args, artifact=None, dry_run=False, **options):
        run = (lambda: self._one(slug=artifact)) if artifact else self._all
        try:
            if dry_run:
                with transaction.atomic():
                    run()
                    raise DryRunRollback
            run()
        except DryRunRollback:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        except RankRunInProgress as error:
            raise CommandError(str(error)) from error

    def _all(self) -> None:
        result = rank_recompute_all(progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Run #{result.run_id} is current: {result.artifacts_ranked:,} artifacts ranked "
                f"({result.artifacts_scored:,} scored) in {result.seconds:.2f}s "
                f"with weights v{result.weights_version}."
            )
        )

    def _one(self, *, slug: str) -> None:
        artifact_id = Artifact.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if artifact_id is None:
            raise CommandError(f"No artifact with slug {slug!r}.")
        rank = rank_recompute_artifact(artifact_id=artifact_id)
        self.stdout.write(
            self.style.SUCCESS(f"{slug}: {'not ranked' if rank is None else f'{rank}/100'}")
        )
