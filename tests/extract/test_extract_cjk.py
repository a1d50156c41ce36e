"""Chinese and Japanese pages: prose without spaces or Latin punctuation is still prose."""

from __future__ import annotations

import pytest

from scraper.extract import extract
from scraper.extract.cjk import word_count

# Paragraphs of 30-60 characters, as Chinese and Japanese news sites write them.
_ZH = [
    "市政府周二召开新闻发布会，宣布港口改造计划将推迟到明年春季，原因是环境评估尚未完成。",
    "多名居民在会上表示，希望政府尽快公布详细的时间表，并说明改造期间的交通安排。",
    "市长承诺，修订后的方案将在一个月内向社会公开征求意见。",
]
_JA = [
    "市議会は火曜日の夜に会合を開き、港の改修計画の延期を決めた。",
    "住民からは早期の説明を求める声が上がっている。",
    "市長は一か月以内に修正案を公表すると約束した。",
]


def _page(lang: str, title: str, paragraphs: list[str], nav: list[str]) -> str:
    links = "".join(f'<li><a href="/{i}">{label}</a></li>' for i, label in enumerate(nav))
    related = "".join(f'<li><a href="/r{i}">{p[:14]}</a></li>' for i, p in enumerate(paragraphs))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<div class='top'><ul>{links}</ul></div>"
        f"<div id='detail'><h1>{title}</h1>{body}</div>"
        f"<div class='list'><h3>{nav[0]}</h3><ul>{related}</ul></div>"
        "</body></html>"
    )


@pytest.mark.parametrize(
    ("lang", "title", "paragraphs", "nav"),
    [
        ("zh-CN", "港口改造计划推迟", _ZH, ["首页", "国内", "国际", "财经", "体育"]),
        ("ja", "港の改修計画を延期", _JA, ["ホーム", "国内", "国際", "経済", "スポーツ"]),
    ],
)
def test_cjk_article_body_is_extracted_without_navigation(
    lang: str, title: str, paragraphs: list[str], nav: list[str]
) -> None:
    result = extract(_page(lang, title, paragraphs, nav), "https://news.example/a")
    assert result.text == "\n\n".join(paragraphs)
    assert result.language == lang[:2]


def test_cjk_words_are_counted_from_characters() -> None:
    assert word_count("The harbour plan is delayed.") == 5
    assert word_count(_ZH[2]) == 12  # 25 ideographs, punctuation not counted
    assert word_count("新型 iPhone 16 が発表された。") == 2 + 4  # 2 Latin words, 8 kana/kanji
