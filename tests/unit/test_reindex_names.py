"""Index version names of ``newsradar reindex`` (no services)."""

from __future__ import annotations

import pytest

from newsradar.reindex import ReindexError, next_version


def test_next_version_counts_up() -> None:
    assert next_version("newsradar-articles-v1", "newsradar-articles") == "newsradar-articles-v2"
    assert next_version("nr-v9", "nr") == "nr-v10"


def test_an_index_without_a_version_is_refused() -> None:
    with pytest.raises(ReindexError, match="<alias>-v<N>"):
        next_version("articles", "articles")
