"""Try to farm a rank, and compare with genuine traffic (match-graph integrity).

On a scratch copy of the demo catalog, with the same views a browser uses (Django's test
client, in-process, each request from the address the scenario gives it):

* genuine baseline: visitors from distinct networks search a few intents and open results;
* one address: scripted opens of the target (half replaying a link without a token, half
  searching first to get one) and scripted "this fits" votes, every request with a new
  User-Agent;
* one /24: the same script from many addresses of one network;
* genuine: as many visitors from distinct networks choose the target for one intent.

After each scenario the match graph is aggregated and ranks recomputed; the script prints how
far the target's times matched, match-graph confidence evidence and rank moved, and what the
aggregation discarded. Each scenario starts again from the baseline.

    python benchmarks/farming_simulation.py                 # the issue's sizes
    python benchmarks/farming_simulation.py --opens 100 --votes 40 --addresses 20
"""

import argparse
import re
import time

import django
from scratch import scratch_database

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from catalog.models import Artifact  # noqa: E402
from matchgraph.aggregation import match_graph_aggregate  # noqa: E402
from matchgraph.models import (  # noqa: E402
    AggregationRun,
    CapabilityMatchStats,
    ComparisonEvent,
    MatchEvent,
    SearchEvent,
)
from ranking import services as ranking  # noqa: E402

TARGET = "dall-e-3-api"
# What the farmer wants to rank for, and a search that does show the target (for a token).
FARMED_QUERY = "speech recognition"
SHOWING_QUERY = "image generation api"
GENUINE_QUERIES = ["speech recognition", "transcribe meetings", "text to speech", "caption images"]
TOKEN_LINK = re.compile(r'href="/search/open/([-\w]+)/\?[^"]*"[^>]*data-token="([^"]+)"')


def visitor(address: str, agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def browser_agent(number: int) -> str:
    """A different, ordinary-looking browser User-Agent for every request of a script."""
    return (
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{120 + number % 20}.0.{number}.0 Safari/537.36"
    )


def shown_tokens(client: Client, query: str) -> dict[str, str]:
    html = client.get(reverse("matchgraph:search"), {"q": query}).content.decode()
    return dict(TOKEN_LINK.findall(html))


def open_with_token(client: Client, query: str, slug: str, token: str) -> None:
    client.get(reverse("matchgraph:open", args=[slug]), {"q": query, "t": token})


def genuine_visit(address: str, query: str, *, choose: str | None = None) -> int:
    """Search, then open the first result (or `choose` if it was shown). Returns requests."""
    client = visitor(address)
    tokens = shown_tokens(client, query)
    slug = choose if choose in tokens else next(iter(tokens), None)
    if slug:
        open_with_token(client, query, slug, tokens[slug])
    return 2


def one_address_script(address: str, *, opens: int, votes: int) -> int:
    requests = 0
    for number in range(opens):
        client = visitor(address, browser_agent(number))
        if number % 2:
            client.get(reverse("matchgraph:open", args=[TARGET]), {"q": FARMED_QUERY, "pos": 9999})
            requests += 1
        else:
            tokens = shown_tokens(client, SHOWING_QUERY)
            open_with_token(client, SHOWING_QUERY, TARGET, tokens.get(TARGET, ""))
            requests += 2
    for number in range(votes):
        client = visitor(address, browser_agent(10_000 + number))
        token = shown_tokens(client, SHOWING_QUERY).get(TARGET, "")
        client.post(reverse("matchgraph:fits", args=[TARGET]), {"q": SHOWING_QUERY, "t": token})
        requests += 2
    return requests


def measure() -> dict:
    match_graph_aggregate()
    ranking.rank_recompute_all()
    target = Artifact.objects.get(slug=TARGET)
    clients = sum(
        CapabilityMatchStats.objects.filter(capability__artifact=target).values_list(
            "distinct_clients", flat=True
        )
    )
    run = AggregationRun.objects.order_by("-pk").first()
    return {
        "times_matched": target.times_matched,
        "rank": target.current_rank,
        "capability_clients": clients,
        "discarded": dict(run.discarded) if run else {},
    }


def forget_since(marks: dict) -> None:
    for model, last in marks.items():
        model.objects.filter(pk__gt=last).delete()


def event_marks() -> dict:
    return {
        model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for model in (SearchEvent, MatchEvent, ComparisonEvent)
    }


def scenario(label: str, baseline: dict, drive) -> None:
    marks = event_marks()
    started = time.perf_counter()
    requests = drive()
    seconds = time.perf_counter() - started
    after = measure()
    discarded = {
        reason: after["discarded"].get(reason, 0) - baseline["discarded"].get(reason, 0)
        for reason in after["discarded"]
    }
    print(
        f"{label:<34} {requests:>8} "
        f"{baseline['times_matched']:>5} → {after['times_matched']:<5} "
        f"{baseline['rank']:>3} → {after['rank']:<4} "
        f"{baseline['capability_clients']:>3} → {after['capability_clients']:<4} "
        f"{seconds:6.1f}s  discarded {({k: v for k, v in discarded.items() if v}) or '—'}"
    )
    forget_since(marks)
    measure()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=500)
    parser.add_argument("--votes", type=int, default=200)
    parser.add_argument("--addresses", type=int, default=50, help="in the /24, and genuine")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with scratch_database("farming", keep=args.keep):
        call_command("load_demo", verbosity=0)
        call_command("rebuild_search_vocabulary", verbosity=0)
        for number in range(120):
            query = GENUINE_QUERIES[number % len(GENUINE_QUERIES)]
            genuine_visit(f"10.{number // 250}.{number % 250}.7", query)
        baseline = measure()
        print(
            f"target {TARGET}; farmed intent “{FARMED_QUERY}”; a search that shows it: "
            f"“{SHOWING_QUERY}”; baseline from 120 genuine visitors"
        )
        print(
            f"{'scenario':<34} {'requests':>8} {'times matched':>13} {'rank':>10} "
            f"{'capability clients':>18}"
        )
        scenario(
            f"one address, {args.opens} opens + {args.votes} votes",
            baseline,
            lambda: one_address_script("203.0.113.9", opens=args.opens, votes=args.votes),
        )
        per_address = max(1, args.opens // args.addresses)
        scenario(
            f"{args.addresses} addresses in one /24",
            baseline,
            lambda: sum(
                one_address_script(f"198.51.100.{number + 1}", opens=per_address, votes=2)
                for number in range(args.addresses)
            ),
        )
        scenario(
            f"{args.addresses} genuine visitors, distinct networks",
            baseline,
            lambda: sum(
                genuine_visit(f"172.16.{number}.20", SHOWING_QUERY, choose=TARGET)
                for number in range(args.addresses)
            ),
        )


if __name__ == "__main__":
    main()
