"""Time `artifacts_import` on synthetic records in the import format (on demand, not a test).

    .venv/bin/python benchmarks/import_benchmark.py --records 10000

It runs in a throwaway database created for the run and dropped afterwards, so neither the
development data nor the test database is touched. Three timed runs: the first import, the
same lines again (all unchanged), and the lines with every tenth record changed.
"""

import argparse
import json
import random
import time
from collections.abc import Iterator

from scratch import scratch_database

WORDS = [
    "vision", "language", "audio", "reasoning", "agent", "retrieval", "embedding", "search",
    "code", "chart", "table", "speech", "translation", "summary", "caption", "image", "video",
    "segment", "detect", "classify", "rank", "answer", "plan", "tool",
]  # fmt: skip
CATEGORIES = [f"Category {n}" for n in range(30)]
MODALITIES = ["text", "image", "audio", "video", "code", "embedding", "structured"]


def synthetic_records(*, count: int, capabilities: int, seed: int = 7) -> Iterator[dict]:
    """Realistic-sized records; links point at neighbours, some of them not in the file."""
    rng = random.Random(seed)
    for index in range(count):
        yield _record(rng, index=index, count=count, capabilities=capabilities)


def _record(rng: random.Random, *, index: int, count: int, capabilities: int) -> dict:
    def sentence(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    return {
        "slug": f"bench-artifact-{index}",
        "name": f"Bench Artifact {index}",
        "kind": rng.choice(["model", "repository", "tool", "api", "dataset"]),
        "organization": f"Org {index % 500}",
        "summary": sentence(30),
        "about": "\n\n".join(sentence(40) for _ in range(4)),
        "homepage": f"https://bench-{index}.example.org",
        "repository_url": f"https://github.com/bench/artifact-{index}",
        "license": "Apache-2.0",
        "categories": rng.sample(CATEGORIES, 2),
        "inputs": rng.sample(MODALITIES, 2),
        "outputs": ["text"],
        "pricing": {
            "model": "paid",
            "free_tier": True,
            "plans": [
                {
                    "name": name,
                    "price": f"0.{rng.randrange(10**8):08d}",
                    "currency": "USD",
                    "unit": "prompt token",
                    "as_of": "2026-11-01",
                }
                for name in ("API", "Batch")
            ],
        },
        "capabilities": [
            {
                "title": f"{sentence(4)[:-1]} {n}",
                "description": sentence(35),
                "unique": sentence(15),
                "vs_alternatives": sentence(15),
                "confidence": rng.choice(["low", "medium", "high"]),
            }
            for n in range(capabilities)
        ],
        "best_for": [sentence(6) for _ in range(3)],
        "limitations": [sentence(6) for _ in range(2)],
        "details": {"parameters_total": f"{index % 400}B", "context_length": 131072, "moe": True},
        "signals": {
            "stars": rng.randrange(100000),
            "downloads_30d": rng.randrange(10**7),
            "has_examples": True,
            "as_of": "2026-11-01",
        },
        "sources": [
            {"name": "Model card", "url": f"https://example.org/{index}", "retrieved": "2026-11-01"}
        ],
        "links": [
            {"rel": "same_family", "target": f"bench-artifact-{(index + 1) % count}"},
            {"rel": "depends_on", "target": f"bench-missing-{index % 50}"},
        ],
        "released": "2025-06-30",
    }


def _changed(lines: list[str]) -> list[str]:
    """Every tenth record with a new summary and its first capability renamed."""
    changed = []
    for index, line in enumerate(lines):
        if index % 10 == 0:
            record = json.loads(line)
            record["summary"] += " Updated."
            record["capabilities"][0]["title"] += " (renamed)"
            line = json.dumps(record)
        changed.append(line)
    return changed


def _timed(label: str, lines: list[str]) -> None:
    from catalog.importing import artifacts_import

    started = time.perf_counter()
    report = artifacts_import(lines=lines, atomic=True)
    seconds = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    print(
        f"{label}: {len(lines)} records in {seconds:.1f} s = {len(lines) / seconds:,.0f} records/s "
        f"(created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"links resolved {report.links_resolved})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--capabilities", type=int, default=8, help="per record")
    options = parser.parse_args()

    import django

    django.setup()
    with scratch_database("import"):
        records = synthetic_records(count=options.records, capabilities=options.capabilities)
        lines = [json.dumps(record) for record in records]
        megabytes = sum(len(line) for line in lines) / 1e6
        print(
            f"{options.records} records, {options.capabilities} capabilities each, "
            f"{megabytes:.0f} MB of JSON"
        )
        _timed("first import", lines)
        _timed("re-import   ", lines)
        _timed("10% changed ", _changed(lines))


if __name__ == "__main__":
    main()
