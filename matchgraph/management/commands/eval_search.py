"""Measure search relevance on the labelled query set, next to a BM25 baseline.

A measurement, not a gate: the exit status is 0 whatever the figures are."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matchgraph.evaluation.metrics import METRICS
from matchgraph.evaluation.runner import (
    DEFAULT_QUERIES,
    SYSTEMS,
    EvaluationReport,
    evaluation_run,
    load_queries,
)

DEFAULT_JSON = Path(settings.BASE_DIR) / ".data" / "eval_search.json"
HEADINGS = {"ndcg@10": "nDCG@10", "recall@5": "recall@5", "mrr": "MRR"}
FAILURE_NDCG = 0.5


class Command(BaseCommand):
    help = "Score /search/ and a BM25 baseline on the labelled queries (nDCG@10, recall@5, MRR)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queries", type=Path, default=DEFAULT_QUERIES, help="Labelled query file (JSON)."
        )
        parser.add_argument(
            "--json",
            type=Path,
            default=DEFAULT_JSON,
            help="Where to write the figures (default .data/eval_search.json).",
        )
        parser.add_argument(
            "--show-failures",
            action="store_true",
            help=f"List queries whose nDCG@10 is below {FAILURE_NDCG}, with the top 5 results.",
        )

    def handle(self, *args, **options):
        try:
            queries = load_queries(options["queries"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read {options['queries']}: {error}") from error
        report = evaluation_run(queries=queries)
        self._table(report)
        if report.unknown_slugs:
            self.stdout.write(
                self.style.WARNING(
                    "Labelled slugs not in the catalog (load the demo?): "
                    + ", ".join(report.unknown_slugs)
                )
            )
        if options["show_failures"]:
            self._failures(report)
        path: Path = options["json"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Figures written to {path}")

    def _table(self, report: EvaluationReport) -> None:
        counts = report.counts()
        delta = report.delta()
        self.stdout.write(
            f"Search relevance, {counts['overall']} labelled queries "
            "(unfragile = the /search/ view, bm25 = plain BM25 on the same catalog)"
        )
        group = "  ".join(f"{HEADINGS[metric]:^24}" for metric in METRICS)
        columns = "  ".join(f"{'unfragile':>9} {'bm25':>6} {'delta':>7}" for _ in METRICS)
        self.stdout.write(f"{'':<18}{group}".rstrip())
        self.stdout.write(f"{'class':<12} {'n':>3}  {columns}")
        for row in report.rows:
            cells = "  ".join(
                f"{report.summary['unfragile'][row][metric]:>9.3f} "
                f"{report.summary['bm25'][row][metric]:>6.3f} "
                f"{delta[row][metric]:>+7.3f}"
                for metric in METRICS
            )
            self.stdout.write(f"{row:<12} {counts[row]:>3}  {cells}")
        firsts = "  ".join(f"{system} {len(report.irrelevant_first(system))}" for system in SYSTEMS)
        self.stdout.write(f"queries whose first result is irrelevant: {firsts}")

    def _failures(self, report: EvaluationReport) -> None:
        failures = report.failures(below=FAILURE_NDCG)
        self.stdout.write("")
        self.stdout.write(f"Queries with unfragile nDCG@10 below {FAILURE_NDCG}: {len(failures)}")
        for outcome in failures:
            scores = ", ".join(
                f"{system} {outcome.metrics[system]['ndcg@10']:.2f}" for system in SYSTEMS
            )
            top = ", ".join(outcome.rankings["unfragile"][:5]) or "(nothing)"
            wanted = ", ".join(slug for slug, grade in outcome.query.relevant.items() if grade == 2)
            self.stdout.write(f"  [{outcome.query.query_class}] “{outcome.query.text}” ({scores})")
            self.stdout.write(f"      top 5: {top}")
            self.stdout.write(f"      wanted: {wanted or '(only related)'}")
