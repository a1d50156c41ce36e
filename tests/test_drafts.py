"""When a feed item's own text is taken as the whole article (no page fetch)."""

from __future__ import annotations

from scraper.drafts import is_full_text

_EN = "The council met on Tuesday and voted to repair the bridge before the summer season. "
_ZH = "市政府周二召开新闻发布会，宣布港口改造计划将推迟到明年春季，原因是环境评估尚未完成。"


def test_short_or_teaser_bodies_are_not_full_text() -> None:
    assert is_full_text(_EN * 10, 120)
    assert not is_full_text(_EN * 3, 120)
    assert not is_full_text(_EN * 10 + "Continue reading", 120)


def test_chinese_words_are_counted_from_characters() -> None:
    assert is_full_text("\n\n".join([_ZH] * 8), 120)  # ~330 characters: a short article
    assert not is_full_text(_ZH * 2, 120)  # a two-sentence teaser
