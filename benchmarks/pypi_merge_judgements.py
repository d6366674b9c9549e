"""Add a round of blind judgements to the real-data set (TREC pooling, as before).

    .venv/bin/python benchmarks/pypi_merge_judgements.py \
        matchgraph/evaluation/pypi_pool_meaning.json

The file holds the pooled (query, package) pairs that no earlier round had graded, each
with its grade (0, 1 or 2) given blind, by reading the package's name and summary, to which
system returned it. Grades 1 and 2 are added to `pypi_queries.json`; a pair already graded
keeps its grade; 0 needs no entry (unlisted packages count 0). Queries that share a need (a
typo of a plain query: the same judgements before this round) share the new grades too,
the higher where two of them graded one package."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "matchgraph" / "evaluation" / "pypi_queries.json"


def main() -> None:
    pool = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    judged = json.loads(QUERIES.read_text(encoding="utf-8"))
    need_of = {
        entry["query"]: json.dumps(entry["relevant"], sort_keys=True) for entry in judged["queries"]
    }
    new_grades: dict[str, dict[str, int]] = {}
    for item in pool["pairs"]:
        if item["grade"] > 0:
            grades = new_grades.setdefault(need_of[item["query"]], {})
            grades[item["package"]] = max(grades.get(item["package"], 0), item["grade"])
    added = 0
    for entry in judged["queries"]:
        for package, grade in new_grades.get(need_of[entry["query"]], {}).items():
            if package not in entry["relevant"]:
                entry["relevant"][package] = grade
                added += 1
    QUERIES.write_text(_as_written(judged), encoding="utf-8")
    print(f"{added} (query, package) grades added from {len(pool['pairs'])} judged pairs")


def _as_written(judged: dict) -> str:
    """The file's own layout: one query a line, its packages by grade, then by name."""
    lines = []
    for entry in judged["queries"]:
        ordered = dict(sorted(entry["relevant"].items(), key=lambda item: (-item[1], item[0])))
        lines.append("    " + json.dumps({**entry, "relevant": ordered}, ensure_ascii=False))
    about = json.dumps(judged["about"], ensure_ascii=False)
    return '{\n  "about": ' + about + ',\n  "queries": [\n' + ",\n".join(lines) + "\n  ]\n}\n"


if __name__ == "__main__":
    main()
