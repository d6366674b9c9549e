"""Bulk import of artifacts from JSON Lines: `artifacts_import` returns an `ImportReport`."""

from catalog.importing.report import ImportIssue, ImportReport
from catalog.importing.services import artifacts_import

__all__ = ["ImportIssue", "ImportReport", "artifacts_import"]
