"""`manage.py import_artifacts FILE.jsonl` (or `-` for standard input): reads lines, reports.

All the work is in `catalog.importing.artifacts_import`; this only opens the file and prints.
"""

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importing import ImportIssue, ImportReport, artifacts_import, services
from catalog.selectors import listing_figures_warm


class Command(BaseCommand):
    help = "Import artifacts from a JSON Lines file (see import-format.md); '-' reads stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="FILE.jsonl", help="the file, or - for stdin")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--atomic",
            dest="atomic",
            action="store_true",
            default=True,
            help="write nothing when any record is invalid (the default)",
        )
        mode.add_argument(
            "--skip-invalid",
            dest="atomic",
            action="store_false",
            help="write the valid records and report the invalid ones",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="print no progress and no warnings"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and write everything, then roll it back: report what would change",
        )

    def handle(self, *args, path: str, atomic: bool, quiet: bool, dry_run: bool, **options) -> None:
        with _lines_open(path) as lines:
            report = artifacts_import(
                lines=lines,
                atomic=atomic,
                on_progress=None if quiet else self._progress,
                dry_run=dry_run,
            )
        if dry_run:
            self._dry_run(report)
        elif report.wrote:
            # The import pays for counting the catalog it changed, not its next visitor.
            listing_figures_warm()
            self.stdout.write(_summary(report))
        if not quiet:
            self._issues("warning", report.warnings, report.warnings_not_kept)
        self._issues("error", report.errors, report.errors_not_kept)
        if not report.ok:
            raise CommandError(_failure(report))

    def _dry_run(self, report: ImportReport) -> None:
        self.stdout.write(f"dry run, nothing written; would have: {_summary(report)}")
        for outcome in ("created", "updated", "unchanged"):
            slugs = getattr(report, f"{outcome}_slugs")
            if slugs:
                more = getattr(report, outcome) - len(slugs)
                listed = ", ".join(slugs) + (f" … and {more} more" if more > 0 else "")
                self.stdout.write(f"{outcome}: {listed}")

    def _progress(self, records: int) -> None:
        if records >= services.BATCH_SIZE:  # long files only; a short one is done at once
            self.stderr.write(f"… {records} records")

    def _issues(self, kind: str, issues: list[ImportIssue], not_kept: int) -> None:
        if issues:
            total = len(issues) + not_kept
            self.stderr.write(f"{total} {kind}{'s' if total > 1 else ''}:")
            for issue in issues:
                self.stderr.write(str(issue))
            if not_kept:
                self.stderr.write(f"… and {not_kept} more {kind}s, not listed")


def _summary(report: ImportReport) -> str:
    summary = (
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"links resolved {report.links_resolved}"
    )
    if report.skipped_invalid:
        summary += f", skipped invalid {report.skipped_invalid}"
    return summary


def _failure(report: ImportReport) -> str:
    counted = f"{report.error_count} error(s) in {report.skipped_invalid} record(s)"
    if report.dry_run:
        return f"{counted}; dry run, nothing was written"
    if report.wrote:
        return f"{counted}; those records were skipped, the valid ones imported"
    return f"{counted}; nothing was written (use --skip-invalid to import the valid records)"


@contextmanager
def _lines_open(path: str) -> Iterator[Iterable[str]]:
    """Lines as text. Bytes that are not UTF-8 come through as surrogates; the import reports
    them with their line number instead of failing somewhere in a decoding buffer."""
    if path == "-":
        yield _decoded(getattr(sys.stdin, "buffer", sys.stdin))
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the import
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    with stream:
        yield _decoded(stream)


def _decoded(stream: IO) -> Iterator[str]:
    for line in stream:
        yield line.decode("utf-8", "surrogateescape") if isinstance(line, bytes) else line
