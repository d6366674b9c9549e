"""Search relevance benchmark: a labelled query set run through the real search view, scored
with nDCG@10, recall@5 and MRR next to a plain BM25 baseline on the same catalog."""
