"""`artifacts_import`: the one way artifacts enter the catalog in bulk (see import-format.md).

Lines stream through validation into batches of BATCH_SIZE records, so memory stays flat on big
files. In atomic mode everything runs in one transaction: writing stops at the first error while
checking goes on to report every error, and the transaction is then rolled back, so nothing at
all is written. With `atomic=False` each batch commits on its own and invalid records are
skipped. Either way, an invalid record never touches what is stored for its slug.

A dry run (`dry_run=True`) is the same run inside one more transaction that is rolled back at
the end: the report says what the run would do, with the first slugs of each outcome, and
nothing stays written. The listing and pages cache versions it changed on the way are changed
for nothing (the next read counts and renders again); what waits for a commit never runs.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

from catalog.importing.records import ArtifactRecord
from catalog.importing.report import ImportIssue, ImportReport
from catalog.importing.seen import SeenSlugs
from catalog.importing.validation import LineResult, line_read
from catalog.importing.writer import BatchCounts, artifacts_write_batch, links_resolve
from catalog.models import Artifact

BATCH_SIZE = 1000


def artifacts_import(
    *,
    lines: Iterable[str],
    atomic: bool = True,
    on_progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import JSON Lines records (1-based physical line numbers in every issue)."""
    if dry_run:
        with transaction.atomic():
            report = _import(lines=lines, atomic=atomic, on_progress=on_progress, dry_run=True)
            transaction.set_rollback(True)
        report.dry_run = True
        return report
    return _import(lines=lines, atomic=atomic, on_progress=on_progress, dry_run=False)


def _import(
    *,
    lines: Iterable[str],
    atomic: bool,
    on_progress: Callable[[int], None] | None,
    dry_run: bool,
) -> ImportReport:
    if not atomic:
        with SeenSlugs() as seen:
            run = _ImportRun(atomic=atomic, on_progress=on_progress, seen=seen, dry_run=dry_run)
            run.consume(lines)
        run.report.links_resolved = links_resolve()
        return run.report
    with transaction.atomic(), SeenSlugs() as seen:
        run = _ImportRun(atomic=atomic, on_progress=on_progress, seen=seen, dry_run=dry_run)
        run.consume(lines)
        if run.report.errors:
            transaction.set_rollback(True)
            return _refused(run.report)
        run.report.links_resolved = links_resolve()
    return run.report


def _refused(report: ImportReport) -> ImportReport:
    report.created = report.updated = report.unchanged = report.links_resolved = 0
    report.created_slugs, report.updated_slugs, report.unchanged_slugs = [], [], []
    report.wrote = False
    return report


class _ImportRun:
    """The state of one import: the report, the pending batch, and the slugs seen so far."""

    def __init__(
        self,
        *,
        atomic: bool,
        on_progress: Callable[[int], None] | None,
        seen: SeenSlugs,
        dry_run: bool = False,
    ) -> None:
        self.atomic = atomic
        self.dry_run = dry_run
        self.on_progress = on_progress
        self.seen = seen
        self.report = ImportReport()
        self.records = 0
        self.batch: dict[int, ArtifactRecord] = {}  # line -> valid record
        self.batch_slugs: list[tuple[str, int]] = []  # every record's slug, valid or not

    def consume(self, lines: Iterable[str]) -> None:
        for number, text in enumerate(lines, start=1):
            result = line_read(text=text, line=number)
            if not result.skipped:
                self._add(result, line=number)
        if self.batch_slugs or self.records % BATCH_SIZE:
            self._flush()
        self.report.sort_issues()

    def _add(self, result: LineResult, *, line: int) -> None:
        self.records += 1
        self.report.add_warnings(result.warnings)
        if result.slug:
            self.batch_slugs.append((result.slug, line))
        if result.errors:
            self.report.add_errors(result.errors)
            self.report.skipped_invalid += 1
        elif result.record is not None:
            self.batch[line] = result.record
        if self.records % BATCH_SIZE == 0:
            self._flush()

    def _skip_repeated_slugs(self) -> None:
        """A slug already used earlier in the file is an error on each later line."""
        repeats = self.seen.repeats(self.batch_slugs)
        for line, (slug, first) in sorted(repeats.items()):
            self.report.add_errors(
                [ImportIssue(line, "slug", f"{slug!r} is already used on line {first}")]
            )
            if self.batch.pop(line, None) is not None:  # else counted as invalid already
                self.report.skipped_invalid += 1

    def _flush(self) -> None:
        self._skip_repeated_slugs()
        batch = list(self.batch.values())
        self.batch, self.batch_slugs = {}, []
        # In atomic mode an error means the run will be rolled back: stop writing, keep checking.
        if batch and not (self.atomic and self.report.errors):
            self._count(self._write(batch))
        if self.on_progress is not None:
            self.on_progress(self.records)

    def _write(self, batch: list[ArtifactRecord]) -> BatchCounts:
        if self.dry_run:
            self._list_slugs(batch)
        if self.atomic:  # the whole run is already one transaction
            return artifacts_write_batch(records=batch)
        with transaction.atomic():
            return artifacts_write_batch(records=batch)

    def _list_slugs(self, batch: list[ArtifactRecord]) -> None:
        """What the batch will do to each slug, as the writer decides it (by stored hash)."""
        stored = dict(
            Artifact.objects.filter(slug__in=[record.slug for record in batch]).values_list(
                "slug", "import_hash"
            )
        )
        outcomes: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
        for record in batch:
            if record.slug not in stored:
                outcomes["created"].append(record.slug)
            elif stored[record.slug] != record.import_hash:
                outcomes["updated"].append(record.slug)
            else:
                outcomes["unchanged"].append(record.slug)
        self.report.list_slugs(**outcomes)

    def _count(self, counts: BatchCounts) -> None:
        self.report.created += counts.created
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged
