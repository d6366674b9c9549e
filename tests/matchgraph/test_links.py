"""The search-link rule, said once: strongest intent, else first capability, else kind."""

from matchgraph.links import match_graph_search_url, search_term


def test_each_artifact_adds_its_strongest_evidence():
    assert search_term(top_intent="transcribe", first_capability="ASR", kind_label="Model") == (
        "transcribe"
    )
    assert search_term(top_intent=None, first_capability="ASR", kind_label="Model") == "ASR"
    assert search_term(top_intent=None, first_capability=None, kind_label="Model") == "Model"


def test_the_address_is_the_search_page_cut_to_what_search_reads():
    assert match_graph_search_url(["caption photos", "Model"]) == (
        "/search/?q=caption+photos+Model"
    )
    assert len(match_graph_search_url(["x" * 500])) == len("/search/?q=") + 200
