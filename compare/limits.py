"""How many artifacts a comparison address may name, and how long a slug in it may be."""

from matchgraph.services import MAX_COMPARED

# A grid is as wide as the match graph records comparisons for.
MAX_GRID = MAX_COMPARED
MIN_GRID = 2
MAX_SLUG_LENGTH = 120
# Beyond this many `a` values a grid request is refused before any query.
MAX_VALUES_READ = 20
