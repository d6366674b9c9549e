"""What an import run tells its caller: counts, and every problem with its line and field path."""

from dataclasses import dataclass, field


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
    # False when atomic mode refused to write because of errors.
    wrote: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors
