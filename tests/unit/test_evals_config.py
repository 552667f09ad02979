from __future__ import annotations

import pytest

from evals.cli_config import coerce, parse_overrides


def test_values_are_coerced_to_bools_ints_floats_null_or_strings() -> None:
    assert [coerce(v) for v in ("true", "Off", "3", "0.5", "null", "none", "st:minilm")] == [
        True, False, 3, 0.5, None, "none", "st:minilm"]  # "none" is a value of its own (llm_provider=none)


def test_overrides_accept_known_keys_and_dashes() -> None:
    assert parse_overrides(["top_k=3", "hybrid=false", "chunk-words=120"], ["top_k", "hybrid", "chunk_words"]) == {
        "top_k": 3, "hybrid": False, "chunk_words": 120}


@pytest.mark.parametrize("item", ["top_k", "=3", "unknown=1"])
def test_malformed_or_unknown_overrides_are_errors(item: str) -> None:
    with pytest.raises(ValueError):
        parse_overrides([item], ["top_k"])


def test_overrides_reach_the_settings() -> None:
    from assistant.settings import Settings, load_settings

    overrides = parse_overrides(["top_k=3", "curated=no", "pipeline=naive", "embedder=st:minilm"],
                                list(Settings.model_fields))
    settings = load_settings(**overrides)
    assert (settings.top_k, settings.curated, settings.pipeline, settings.embedder) == (3, False, "naive",
                                                                                       "st:minilm")
