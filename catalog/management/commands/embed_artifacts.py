import sys

from django.core.management.base import BaseCommand, CommandError

from catalog.embeddings import get_backend
from catalog.embeddings.indexing import embeddings_pending, embeddings_refresh
from catalog.embeddings.store import search_method

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Embed every artifact whose text changed since it was last embedded (name, summary, "
        "capabilities), in batches that each commit: interrupt it and run it again to resume."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=32)
        parser.add_argument("--limit", type=int, default=None, help="stop after this many")
        parser.add_argument(
            "--shard",
            default="0/1",
            help="i/n: embed only ids equal to i modulo n (run n of these side by side)",
        )

    def handle(self, *args, batch_size, limit, shard, **options):
        try:
            index, count = (int(part) for part in shard.split("/"))
            assert 0 <= index < count
        except (ValueError, AssertionError):
            raise CommandError(f"--shard must be i/n with 0 <= i < n, not {shard!r}") from None
        backend = get_backend()
        if backend is None:
            self.stdout.write("Embeddings are off (EMBEDDINGS_BACKEND=none): nothing to do.")
            return
        total = embeddings_pending()
        if limit is not None:
            total = min(total, limit)
        self.stdout.write(f"{total} artifacts to embed with {backend.name}; {search_method()}.")
        report = embeddings_refresh(
            batch_size=batch_size,
            max_artifacts=limit,
            progress=self._progress(total // count if count > 1 else total),
            shard=(index, count),
        )
        if total:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_summary(report)))

    def _progress(self, total: int):
        interactive = sys.stdout.isatty()

        def show(done: int, passages: int) -> None:
            filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"[{bar}] {done}/{total} artifacts, {passages} passages"
            self.stdout.write(f"\r{line}" if interactive else line, ending="")
            self.stdout.flush()
            if not interactive:
                self.stdout.write("")

        return show


def _summary(report) -> str:
    line = f"Embedded {report.artifacts} artifacts ({report.passages} passages)"
    line += f" in {report.seconds:.1f} s"
    if report.artifacts:
        line += f", {report.seconds / report.artifacts * 1000:.0f} s per 1,000 artifacts"
    return line + ("." if report.finished else "; more are waiting: run it again to go on.")
