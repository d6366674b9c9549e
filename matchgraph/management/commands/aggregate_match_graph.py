from django.core.management.base import BaseCommand

from matchgraph.aggregation import match_graph_aggregate


class Command(BaseCommand):
    help = "Rebuild match-graph edges, times matched and co-matches from the raw events."

    def handle(self, *args, **options):
        report = match_graph_aggregate()
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.artifact_edges} intent→artifact edges, "
                f"{report.capability_edges} intent→capability edges, "
                f"{report.comatches} co-match pairs, "
                f"{report.intent_relations} related intents, "
                f"{report.artifacts_with_matches} artifacts matched, "
                f"{report.choices_counted} choices counted, "
                f"{sum(report.discarded.values())} discarded {report.discarded or ''}, "
                f"in {report.seconds:.2f} s."
            )
        )
