"""A validated import record: plain values, ready to write, with a stable hash."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, is_dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from catalog.models import capability_title_key

# Bump when the meaning of a stored record changes, so the next import rewrites every artifact.
HASH_VERSION = 1

# Artifact columns the import owns (besides `slug` and `import_hash`). Everything else on the
# row (claim state, publication, review, rank, match counts) is never touched by an import.
ARTIFACT_FIELDS = (
    "name",
    "kind",
    "organization",
    "summary",
    "about",
    "homepage",
    "repository_url",
    "docs_url",
    "license",
    "inputs",
    "outputs",
    "pricing_model",
    "free_tier",
    "best_for",
    "limitations",
    "requirements",
    "details",
    "extra",
    "released",
    "updated",
)


@dataclass(frozen=True)
class CategoryRef:
    name: str
    slug: str


@dataclass(frozen=True)
class PlanRecord:
    name: str
    price: Decimal  # quantized to the column's 12 decimal places
    currency: str
    unit: str
    as_of: dt.date | None


@dataclass(frozen=True)
class CapabilityRecord:
    title: str
    description: str
    unique_angle: str
    vs_alternatives: str
    confidence: str

    @property
    def title_key(self) -> str:
        return capability_title_key(self.title)


@dataclass(frozen=True)
class SourceRecord:
    name: str
    url: str
    retrieved: dt.date | None


@dataclass(frozen=True)
class LinkRecord:
    relation: str
    target_slug: str


@dataclass(frozen=True)
class ArtifactRecord:
    line: int
    slug: str
    fields: dict[str, Any]  # exactly ARTIFACT_FIELDS
    categories: tuple[CategoryRef, ...]
    plans: tuple[PlanRecord, ...]
    capabilities: tuple[CapabilityRecord, ...]
    sources: tuple[SourceRecord, ...]
    links: tuple[LinkRecord, ...]
    signals: dict[str, Any] | None  # None: no signal known

    @cached_property
    def import_hash(self) -> str:
        """sha256 of the canonical JSON of all the import writes (the line number left out)."""
        payload = {"version": HASH_VERSION, **vars(self)}
        del payload["line"]
        canonical = json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_value
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _json_value(value: object) -> str | dict:
    if is_dataclass(value):
        return vars(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")
