"""Content selection on small synthetic pages: headline anchoring, hidden and repeated text,
link lists inside the body, and where comments/related sections start."""

from __future__ import annotations

import pytest

from scraper.extract import extract

_PROSE = (
    "The committee met on Tuesday evening to review the proposal, and members said the plan "
    "would need further study before any vote could be taken on the matter."
)
_MORE = (
    "Residents who attended the meeting asked for clearer timelines, while the chair promised "
    "that a revised version would be published for comment within a month."
)


def _page(body: str, title: str = "Harbour plan delayed", head: str = "") -> str:
    return (
        f"<html><head><title>{title} - The Courier</title>{head}</head><body>{body}</body></html>"
    )


def test_short_post_beats_an_unnamed_about_box_elsewhere() -> None:
    about = (
        "I live by the sea and write about boats, tides, harbours and the people who work on "
        "them. This blog collects what I find interesting, one photograph at a time, every day."
    )
    html = _page(
        '<div id="top"><div class="intro"><div class="box">'
        f"<p>{about}</p></div></div></div>"
        '<div class="main-area"><div class="item">'
        "<h2>A boat at dawn</h2><div>Seen this morning from the pier, via the harbour cam.</div>"
        "</div></div>",
        title="A boat at dawn",
    )
    text = extract(html).text
    assert text == "Seen this morning from the pier, via the harbour cam."


def test_the_site_name_heading_does_not_anchor_the_article() -> None:
    html = _page(
        '<div class="header"><h1>The Courier</h1></div>'
        f'<div class="story"><h2>Harbour plan delayed</h2><p>{_PROSE}</p><p>{_MORE}</p></div>',
    )
    result = extract(html)
    assert result.text == f"{_PROSE}\n\n{_MORE}"
    assert result.title == "Harbour plan delayed"


def test_hidden_blocks_are_not_text() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p>"
        '<div style="display: none"><p>Full press release text that only opens on click, '
        "with a long paragraph nobody sees unless they press the button above it.</p></div>"
        f"<p hidden>Hidden attribute paragraph.</p><p>{_MORE}</p></article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_a_body_carried_twice_is_read_once() -> None:
    html = _page(
        f'<article><h1>Harbour plan delayed</h1><div class="a"><p>{_PROSE}</p></div>'
        f'<div class="b"><p>{_PROSE}</p><p>{_MORE}</p></div></article>',
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_a_link_list_between_paragraphs_is_part_of_the_body() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p>"
        '<ul><li><a href="/a">The first report on the harbour</a> (PDF)</li>'
        '<li><a href="/b">The council minutes of March</a> (PDF)</li></ul>'
        f"<p>{_MORE}</p>"
        '<ul><li><a href="/c">Another story</a></li><li><a href="/d">More news</a></li></ul>'
        "</article>",
    )
    paragraphs = extract(html).text.split("\n\n")
    assert "The first report on the harbour (PDF)" in paragraphs
    assert "Another story" not in paragraphs  # after the body: a related list


def test_a_share_bar_above_the_body_does_not_end_it() -> None:
    html = _page(
        "<article><h1>Harbour plan delayed</h1><p>By Ann Lee</p><h3>Share this article</h3>"
        f"<p>{_PROSE}</p><p>{_MORE}</p><h3>Related posts</h3><p>{_PROSE[:90]}.</p></article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_a_posted_by_trailer_ends_the_post() -> None:
    html = _page(
        f"<div class='entry'><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{_MORE}</p>"
        "<p>Posted by Ann Lee at October 28, 2012 01:23 PM</p>"
        "<p>I disagree with every word of this, and I have been saying so for years now.</p>"
        "<p>Posted by: Bob at October 28, 2012 02:30 PM</p></div>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_an_author_box_named_after_the_post_is_not_the_article() -> None:
    bio = (
        "Ann Lee is a reporter who has covered the harbour, the council and the courts for "
        "twenty years. She lives in the old town with two cats and far too many books to count."
    )
    html = _page(
        '<div class="post"><h2>Harbour plan delayed</h2>'
        '<p><a href="/x">A link</a> and a short note about the plan.</p></div>'
        f'<div class="post-author"><h3>About the author</h3><p>{bio}</p></div>',
    )
    assert "twenty years" not in extract(html).text


def test_prose_deep_in_sidebar_widgets_is_not_a_fallback_article() -> None:
    widget = (
        "All photographs on this site are my own unless otherwise stated. You are welcome to "
        "use them but please link back to me, and drop me an email first if you can."
    )
    html = _page(
        "<div class='post'><h3>Harbour plan delayed</h3><img src='a.jpg'></div>"
        f"<aside><div class='sidebar'><div class='widget-content'><p>{widget}</p></div></div>"
        "</aside>",
    )
    assert extract(html).text == ""


def test_a_table_header_cell_does_not_end_the_article() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p>"
        "<table><tr><td>Response</td><td>Votes</td></tr><tr><td>Yes</td><td>149</td></tr>"
        f"</table><p>{_MORE}</p></article>",
    )
    paragraphs = extract(html).text.split("\n\n")
    assert paragraphs[-1] == _MORE
    assert "Response" in paragraphs


def test_a_sentence_with_many_links_is_kept() -> None:
    sentence = (
        'This month, <a href="/a">Paul Borawski</a> selected the topic of '
        '<a href="/b">going beyond the traditional quality function</a> for discussion by '
        '<a href="/c">ASQ Influential Voices</a>.'
    )
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{sentence}</p><p>{_PROSE}</p></article>"
    )
    assert extract(html).text.startswith("This month, Paul Borawski selected the topic")


def test_stock_cms_footer_lines_are_not_text() -> None:
    html = _page(
        f"<div class='entry'><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{_MORE}</p>"
        "<p class='small'>You can follow any responses to this entry through the RSS 2.0 feed. "
        "You can leave a response, or trackback from your own site.</p></div>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_an_author_bio_box_is_not_text() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{_MORE}</p>"
        "<div class='author-dropdown'><p>Ann Lee is the harbour correspondent of the Courier "
        "and has written about the port, its ships and its people for many years.</p></div>"
        "</article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_amp_ad_and_analytics_elements_are_not_text() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p>"
        '<amp-ad width="300" height="250" type="doubleclick">'
        "<div placeholder>Loading ad</div><div fallback>Ad failed to load</div></amp-ad>"
        f"<p>{_MORE}</p>"
        '<amp-embed type="taboola"><div placeholder>Loading recommendations</div></amp-embed>'
        '<amp-analytics type="gtag"><p>Tracking configuration text</p></amp-analytics>'
        "</article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


@pytest.mark.parametrize("heading", ["Reactions", "Discussion", "Responses", "Response:"])
def test_a_subheading_that_names_a_section_of_the_article_does_not_end_it(heading: str) -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p><h2>{heading}</h2>"
        f"<p>{_MORE}</p></article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{heading}\n\n{_MORE}"


@pytest.mark.parametrize("label", ["4 Responses", "Reactions (2)", "Comments"])
def test_a_counted_or_comment_label_still_ends_the_article(label: str) -> None:
    html = _page(
        f"<div class='entry'><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{_MORE}</p>"
        f"<h3>{label}</h3><div><p>Great article, I completely agree with all of the points "
        "made here and I hope the council listens this time round.</p></div></div>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


def test_a_bare_label_with_nothing_after_it_is_dropped() -> None:
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{_MORE}</p>"
        "<h2>Discussion</h2></article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"


@pytest.mark.parametrize(
    "notice",
    [
        "Copyright 2012 The Courier. This material may not be redistributed.",
        "Copyright © The Courier",
        "Copyright: Harbour Photo Agency",
        "Copyright The Courier Media Limited 2012",
    ],
)
def test_copyright_notices_are_dropped_but_prose_about_copyright_is_kept(notice: str) -> None:
    about = (
        "Copyright holders argue that the harbour photographs may not be reused by the council "
        "without a licence, the agency said."
    )
    html = _page(
        f"<article><h1>Harbour plan delayed</h1><p>{_PROSE}</p><p>{about}</p>"
        f"<p>{_MORE}</p><p>{notice}</p></article>",
    )
    assert extract(html).text == f"{_PROSE}\n\n{about}\n\n{_MORE}"


def test_a_body_split_around_an_ad_slot_is_read_whole() -> None:
    html = _page(
        '<div class="wrap"><h1>Harbour plan delayed</h1>'
        f'<div class="story-body"><p>{_PROSE}</p><p>{_MORE}</p></div>'
        '<div class="ad-slot">Advertisement</div>'
        f'<div class="story-body"><p>{_PROSE[:95]}.</p></div>'
        '<div class="tags"><a href="/t/harbour">Harbour</a> <a href="/t/council">Council</a></div>'
        "</div>"
    )
    # The first half has more prose and wins; the second must not be taken for what
    # follows the body (tags, share bars), and the tags after it still are.
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}\n\n{_PROSE[:95]}."


def test_a_body_split_around_a_subscribe_box_without_a_wrapper_is_read_whole() -> None:
    html = _page(
        '<div class="post-header"><h1>Harbour plan delayed</h1><div>Ann Lee</div></div>'
        f'<div class="available-content"><div class="markup"><p>{_PROSE}</p></div></div>'
        '<div class="subscription-widget"><p>Subscribe to get every new post in your inbox, '
        "it is free and you can stop at any time.</p></div>"
        f'<div class="available-content"><div class="markup"><p>{_MORE}</p>'
        f"<p>{_PROSE[:95]}.</p></div></div>"
        '<div class="footer-links"><a href="/about">About</a></div>'
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}\n\n{_PROSE[:95]}."


def test_layout_blocks_sharing_a_class_are_not_one_body() -> None:
    teaser = (
        "Our newsroom covers the harbour, the council and the courts every day of the week, "
        "with reporters in every part of the county and a photographer on call."
    )
    html = _page(
        f'<section class="container" id="header"><p>{teaser}</p></section>'
        '<section class="container" id="content"><article><h1>Harbour plan delayed</h1>'
        f"<p>{_PROSE}</p><p>{_MORE}</p></article></section>"
    )
    assert extract(html).text == f"{_PROSE}\n\n{_MORE}"
