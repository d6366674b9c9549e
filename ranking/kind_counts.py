"""How many artifacts of each kind a rank run ranks ("among 1,204 models"): counted once per
run and kept in the cache, not counted on every artifact page (at 100,000 artifacts that
count read a whole kind: 40 ms a page). A run's scores change after it is made only by a
one-artifact re-score (`services.rank_recompute_artifact`), which forgets the count."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count

from ranking.models import RankScore

KEY = "ranking:ranked-per-kind:{run_id}"
# A safety net only: a new run has a new key, and a re-score forgets the old one.
SECONDS = 7 * 24 * 60 * 60


def ranked_per_kind(*, run_id: int) -> dict[str, int]:
    def count() -> dict[str, int]:
        rows = (
            RankScore.objects.filter(run_id=run_id, rank__isnull=False)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("*"))
        )
        return dict(rows)

    return cache.get_or_set(KEY.format(run_id=run_id), count, SECONDS)


def ranked_per_kind_forget(*, run_id: int) -> None:
    """At once and again at commit, so a count taken inside the re-score's transaction from
    the old rows is not kept."""
    key = KEY.format(run_id=run_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
