"""Which capabilities of a pair overlap: shared searches first, then similar wording."""

from compare.overlap import capability_overlap, title_words, wording_similarity
from compare.types import CapabilityItem


def cap(pk, title):
    return CapabilityItem(id=pk, title=title)


def test_title_words_drop_filler_and_stem_lightly():
    assert title_words("Captioning of product photos") == {"caption", "product", "photo"}


def test_similar_wording():
    assert wording_similarity("Generate images from text prompts", "Generates images from text")
    assert wording_similarity("Generate images", "Transcribe speech") == 0.0


def test_shared_searches_pair_capabilities_even_when_worded_differently():
    left = [cap(1, "Caption images in natural language"), cap(2, "Answer questions about images")]
    right = [cap(10, "Describe photos for alt text"), cap(11, "Edit images with masks")]
    overlap = capability_overlap(left, right, shared_searches={(1, 10): (3, "alt text")})
    assert [
        (p.left.id, p.right.id, p.shared_searches, p.example_search) for p in overlap.pairs
    ] == [(1, 10, 3, "alt text")]
    assert [c.id for c in overlap.only_left] == [2]
    assert [c.id for c in overlap.only_right] == [11]
    assert overlap.shared_ids == {1, 10}


def test_each_capability_pairs_once_strongest_evidence_first():
    left = [cap(1, "Generate images from text prompts")]
    right = [cap(10, "Generate images from text prompts"), cap(11, "Image generation from text")]
    overlap = capability_overlap(left, right, shared_searches={(1, 11): (1, "text to image")})
    assert [(p.left.id, p.right.id) for p in overlap.pairs] == [(1, 11)]
    assert [c.id for c in overlap.only_right] == [10]


def test_nothing_in_common():
    overlap = capability_overlap([cap(1, "Transcribe speech")], [cap(2, "Generate images")])
    assert overlap.pairs == ()
    assert len(overlap.only_left) == len(overlap.only_right) == 1
