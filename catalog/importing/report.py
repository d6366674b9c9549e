"""What an import run tells its caller: counts, and every problem with its line and field path."""

from dataclasses import dataclass, field

# Issues kept for the report, of each kind: a million-line file with a warning on every line
# must not hold a million issues in memory. The rest are counted.
MAX_KEPT_ISSUES = 1000
# Slugs a dry run lists of each outcome (created, updated, unchanged); the rest are counted.
MAX_LISTED_SLUGS = 50


@dataclass(frozen=True)
class ImportIssue:
    """An error or a warning about one line of the file (1-based physical line number)."""

    line: int
    path: str  # "capabilities[2].title", "pricing.plans[0].price", "(line)" for the whole line
    message: str

    def __str__(self) -> str:
        return f"LINE {self.line}: {self.path}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Invalid records, in both modes (in atomic mode nothing at all is written when this is > 0).
    skipped_invalid: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    # Links stored without their target (by an earlier run, or an earlier batch of this one)
    # that the run's final UPDATE pointed at the target; links written with it don't count.
    links_resolved: int = 0
    # False when atomic mode refused to write because of errors. On a dry run: whether the
    # same run for real would have written.
    wrote: bool = True
    errors_not_kept: int = 0
    warnings_not_kept: int = 0
    # A dry run writes, reports, then rolls everything back; it also lists the first slugs
    # of each outcome (a real run leaves these lists empty).
    dry_run: bool = False
    created_slugs: list[str] = field(default_factory=list)
    updated_slugs: list[str] = field(default_factory=list)
    unchanged_slugs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_kept

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + self.warnings_not_kept

    def add_errors(self, issues: list[ImportIssue]) -> None:
        self.errors_not_kept += _keep(self.errors, issues)

    def add_warnings(self, issues: list[ImportIssue]) -> None:
        self.warnings_not_kept += _keep(self.warnings, issues)

    def list_slugs(self, *, created: list[str], updated: list[str], unchanged: list[str]) -> None:
        for kept, slugs in (
            (self.created_slugs, created),
            (self.updated_slugs, updated),
            (self.unchanged_slugs, unchanged),
        ):
            kept.extend(slugs[: max(0, MAX_LISTED_SLUGS - len(kept))])

    def sort_issues(self) -> None:
        """In line order (a repeated slug is found when its batch is written)."""
        self.errors.sort(key=lambda issue: issue.line)
        self.warnings.sort(key=lambda issue: issue.line)


def _keep(kept: list[ImportIssue], issues: list[ImportIssue]) -> int:
    """Keep what fits under MAX_KEPT_ISSUES; returns how many did not."""
    room = max(0, MAX_KEPT_ISSUES - len(kept))
    kept.extend(issues[:room])
    return max(0, len(issues) - room)
