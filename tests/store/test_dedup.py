"""Deduplication in the store, on SQLite and PostgreSQL: one article per story and publisher,
story clusters across publishers, revisions, sightings, collapsed search, no races."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scraper.cli import cli
from scraper.config import parse_config
from scraper.dedup.boilerplate import paragraph_hash
from scraper.models import ArticleDraft, RawPage
from scraper.query.contract import article_to_dict
from scraper.store.archive import BATCH_MAX, Archive, ArticleFilter, open_archive
from scraper.store.tables import ArticleRow, BoilerplateRow, SightingRow
from tests.factories import make_draft

CONFIG = parse_config(
    {
        "publisher": [
            {"id": "sf", "name": "SF", "canonical_domain": "sf.test",
             "feeds": ["http://sf.test/feed"]},
            {"id": "nw", "name": "NW", "canonical_domain": "nw.test"},
            {"id": "lc", "name": "LC", "canonical_domain": "lc.test"},
        ]
    },
    Path("test.toml"),
)  # fmt: skip
_SYLLABLE_TEXT = "ka lo mi ne ru sa te vo zi pa de fu go hi ja ku le ma no pi ro su ta vi"
_SYLLABLES = _SYLLABLE_TEXT.split()
_RNG = random.Random(7)
VOCABULARY = sorted({"".join(_RNG.choices(_SYLLABLES, k=_RNG.randint(1, 3))) for _ in range(900)})
TOPIC = ["drones", "Tartus", "naval", "base", "intercepted", "air", "defense", "Khmeimim"]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(TOPIC) if rng.random() < 0.25 else rng.choice(VOCABULARY)
             for _ in range(rng.randint(10, 18))]  # fmt: skip
    return " ".join(words).capitalize() + "."


def story(seed: int, paragraphs: int = 6) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(sentence(rng) for _ in range(3)) for _ in range(paragraphs)]


def body(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def edited(paragraphs: list[str], at: int = 2, seed: int = 99) -> list[str]:
    """One sentence of one paragraph rewritten."""
    out = list(paragraphs)
    sentences = out[at].split(". ")
    sentences[1] = sentence(random.Random(seed)).rstrip(".")
    out[at] = ". ".join(sentences)
    return out


WHEN = datetime(2025, 3, 10, 12, tzinfo=UTC)


def draft(publisher: str, slug: str, text: str, **kw: object) -> ArticleDraft:
    values: dict[str, object] = {
        "urls": ((f"https://{publisher}.test/{slug}/?utm_source=rss", "feed"),),
        "title": f"Story {slug}",
        "published_at": WHEN,
    }
    return make_draft(publisher, f"https://{publisher}.test/{slug}/", text, **(values | kw))


@pytest.fixture
def archive(database_url: str) -> Archive:
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    return archive


def test_same_article_via_two_domains_is_one_row(archive: Archive) -> None:
    text = body(story(1))
    first = archive.save(draft("sf", "drones", text))
    moved = archive.save(
        draft("sf", "drones", text, urls=(("https://sf-old.test/drones/", "alias"),))
    )
    assert moved.article_id == first.article_id
    assert archive.count() == 1
    article = archive.get(first.article_id)
    assert article is not None and "https://sf-old.test/drones/" in article.urls


def test_republication_by_another_publisher_is_clustered_not_merged(archive: Archive) -> None:
    original = story(2)
    copy = [*edited(original), "___", "Republished with permission. Follow NW on every network."]
    a = archive.save(draft("sf", "drones", body(original)))
    b = archive.save(draft("nw", "sf-drones-copy", body(copy)))
    assert (a.status, b.status) == ("new", "new")
    assert a.article_id != b.article_id
    first, second = archive.get(a.article_id), archive.get(b.article_id)
    assert first is not None and second is not None
    assert first.cluster == second.cluster == a.article_id  # the smallest id of the group
    assert article_to_dict(second)["cluster"] == a.article_id

    hits = archive.search("intercepted", ArticleFilter())
    assert len(hits) == 1  # one hit per story
    other = "nw" if hits[0].publisher == "sf" else "sf"
    assert hits[0].also_published_by == (other,)
    assert {h.id for h in archive.search("intercepted", ArticleFilter(), collapse=False)} == {
        a.article_id,
        b.article_id,
    }
    listed = archive.search("", ArticleFilter())
    assert len(listed) == 1 and listed[0].also_published_by


def test_edited_article_keeps_one_revision(archive: Archive) -> None:
    original = story(3)
    a = archive.save(draft("sf", "drones", body(original)))
    b = archive.save(draft("sf", "drones", body(edited(original)), title="Story, corrected"))
    assert b == type(b)(a.article_id, "updated")
    article = archive.get(a.article_id)
    assert article is not None and article.revisions == 1
    assert article_to_dict(article)["revisions"] == 1
    versions = archive.versions(a.article_id)
    assert [v.title for v in versions] == ["Story drones", "Story, corrected"]
    assert versions[-1].text == body(edited(original))


def test_edited_slug_is_the_same_article_with_both_urls(archive: Archive) -> None:
    original = story(4)
    a = archive.save(draft("sf", "drones-hit-base", body(original)))
    later = WHEN + timedelta(hours=5)
    b = archive.save(
        draft("sf", "drones-hit-naval-base", body(edited(original)), published_at=later)
    )
    assert b.article_id == a.article_id and b.status == "updated"
    assert archive.count() == 1
    article = archive.get(a.article_id)
    assert article is not None and article.revisions == 1 and article.cluster is None
    assert {"https://sf.test/drones-hit-base/", "https://sf.test/drones-hit-naval-base/"} <= set(
        article.urls
    )
    same_text = archive.save(
        draft("sf", "drones-again", body(edited(original)), title="Story drones-hit-naval-base")
    )
    assert same_text == type(same_text)(a.article_id, "known")  # text hash identity


def test_a_new_headline_on_the_same_text_is_a_revision(archive: Archive) -> None:
    """A re-post under a new URL with only the headline rewritten is an edit: the new headline
    is shown, the old one kept in the history; the same headline re-typeset is no edit."""
    text = body(story(15))
    a = archive.save(draft("sf", "drones", text, title="Drones seen over base"))
    b = archive.save(draft("sf", "drones-shot-down", text, title="Drones shot down over base"))
    assert b == type(b)(a.article_id, "updated")
    again = archive.save(draft("sf", "drones-shot-down", text, title="DRONES  shot down over base"))
    untitled = archive.save(draft("sf", "amp/drones", text, title=None))
    assert again.status == untitled.status == "known"
    article = archive.get(a.article_id)
    assert article is not None
    assert (article.title, article.text, article.revisions) == (
        "Drones shot down over base",
        text,
        1,
    )
    assert [v.title for v in archive.versions(a.article_id)] == [
        "Drones seen over base",
        "Drones shot down over base",
    ]
    assert archive.search('"shot down"', ArticleFilter())


def _page(url: str) -> RawPage:
    return RawPage(url, 200, {"content-type": "text/html"}, b"<html></html>", WHEN)


def test_a_teaser_under_a_new_url_keeps_the_full_text(archive: Archive) -> None:
    """A newsletter, teaser or AMP copy (the article's leading part) is attached to the
    article by its URL; the full text, its search words and its raw page stay."""
    full = story(16)
    a = archive.save(draft("sf", "bridge", body(full), raw=_page("https://sf.test/bridge/")))
    teaser = body([*full[:2], "Read the full story on our website."])
    b = archive.save(draft("sf", "newsletter/bridge", teaser, raw=_page("https://sf.test/nl/")))
    assert b == type(b)(a.article_id, "known")
    article = archive.get(a.article_id)
    assert article is not None
    assert (article.text, article.revisions) == (body(full), 0)
    assert "https://sf.test/newsletter/bridge/" in article.urls
    assert [p.page.url for p in archive.pages(ArticleFilter())] == ["https://sf.test/bridge/"]
    last_words = " ".join(full[-1].split()[-3:]).rstrip(".")
    assert archive.search(f'"{last_words}"', ArticleFilter())


def test_a_shortening_edit_is_a_revision(archive: Archive) -> None:
    """The same shorter text met at the article's own URL is the page edited, and a text with
    a paragraph cut from its middle is an edit under any URL."""
    full = story(17)
    a = archive.save(draft("sf", "bridge", body(full)))
    cut = archive.save(draft("sf", "bridge-corrected", body(full[:2] + full[3:])))
    assert cut == type(cut)(a.article_id, "updated")
    shortened = archive.save(draft("sf", "bridge", body(full[:3])))
    assert shortened == type(shortened)(a.article_id, "updated")
    article = archive.get(a.article_id)
    assert article is not None
    assert (article.text, article.revisions) == (body(full[:3]), 2)


ZH_PARAGRAPHS = [
    "国家统计局今天发布数据显示，前三季度国内生产总值同比增长百分之五，其中第三季度增长百分之四点九。",
    "分析人士认为，消费和投资对经济增长的拉动作用明显增强，但外部环境依然复杂多变，需要保持警惕。",
    "统计局发言人表示，下一阶段将继续加大宏观政策调控力度，着力扩大国内需求，推动经济持续回升向好。",
]


@pytest.mark.parametrize("language", ["zh", "ja", "th"])
def test_texts_without_spaces_are_deduplicated_like_any_other(
    archive: Archive, language: str
) -> None:
    """Chinese, Japanese and Thai texts have no spaces between words: counted and shingled by
    character, a copy under a second URL is the same article, an edit a revision, and another
    publisher's copy joins the story cluster."""
    paragraphs = {
        "zh": ZH_PARAGRAPHS,
        "ja": [p.replace("国家统计局", "東京都は") for p in ZH_PARAGRAPHS],
        "th": [
            "กรุงเทพมหานครประกาศแผนป้องกันน้ำท่วมฉบับใหม่ในวันนี้ โดยจะเพิ่มสถานีสูบน้ำอีกสิบแห่ง",
            "ผู้ว่าราชการกล่าวว่าโครงการนี้จะใช้งบประมาณสามพันล้านบาทและแล้วเสร็จภายในสองปี",
            "ชาวบ้านในเขตที่ลุ่มต่ำยินดีกับแผนนี้ แต่ยังกังวลเรื่องการเวนคืนที่ดินริมคลอง",
        ],
    }[language]
    text = body(paragraphs)
    a = archive.save(draft("sf", "report", text, language=language, title="Report"))
    stored = archive.get(a.article_id)
    assert stored is not None and stored.word_count >= 100
    again = archive.save(draft("sf", "report-repost", text, language=language, title="Report"))
    assert again == type(again)(a.article_id, "known")
    edit = body([paragraphs[0][:-4] + paragraphs[0][-3:], *paragraphs[1:]])
    edited_again = archive.save(
        draft("sf", "report-corrected", edit, language=language, title="Report")
    )
    assert edited_again == type(edited_again)(a.article_id, "updated")
    wire = archive.save(draft("nw", "report", text, language=language, title="Report"))
    assert wire.article_id != a.article_id
    assert archive.get(wire.article_id).cluster == a.article_id  # type: ignore[union-attr]


FOOTER = (
    "About the Gazette: an independent newsroom funded by its readers, covering the city, its "
    "courts, its schools and its neighbourhoods since 1998. Our reporting is free to read "
    "because members chip in every month. Become a member today and get the morning newsletter, "
    "invitations to our events and a say in what we investigate next. Send corrections and "
    "tips to the newsroom at any hour. Copyright the Gazette, all rights reserved."
)


def _brief(seed: int) -> str:
    return " ".join(sentence(random.Random(seed)) for _ in range(2))


def test_short_articles_sharing_a_footer_stay_apart_and_teach_it(archive: Archive) -> None:
    """A publisher's briefs carry its long footer, which makes them contain one another; they
    stay separate articles, each paragraph is counted, and the footer is learned. A small
    edit of a brief under a new URL is still its article."""
    briefs = [_brief(200 + n) for n in range(4)]
    outcomes = [
        archive.save(draft("sf", f"brief-{n}", f"{b}\n\n{FOOTER}", title=f"Brief {n}"))
        for n, b in enumerate(briefs)
    ]
    assert [o.status for o in outcomes] == ["new"] * 4
    ids = [o.article_id for o in outcomes]
    assert len(set(ids)) == 4
    for article_id, brief in zip(ids, briefs, strict=True):
        article = archive.get(article_id)
        assert article is not None and article.text == f"{brief}\n\n{FOOTER}"
    # Once the footer is in two articles it is no evidence at all: no more clustering by it.
    assert [archive.get(i).cluster for i in ids[2:]] == [None, None]  # type: ignore[union-attr]
    learned = archive.learned_boilerplate(["sf"], 3, 0.5)["sf"]
    assert paragraph_hash(FOOTER) in learned
    words = briefs[3].split()
    words[3] = "changed"
    edit = archive.save(draft("sf", "brief-3-fixed", f"{' '.join(words)}\n\n{FOOTER}"))
    assert edit == type(edit)(ids[3], "updated")


def test_paragraphs_an_edit_brings_are_counted_once_for_its_article(archive: Archive) -> None:
    """Learned boilerplate counts a paragraph once per article: a footer that first reaches
    an article through an edit or a merged copy counts too; a re-crawl counts nothing."""
    text = body(story(18))
    a = archive.save(draft("sf", "drones", text))
    with_footer = f"{text}\n\n{FOOTER}"
    b = archive.save(draft("sf", "drones-update", with_footer, title="Story drones"))
    archive.save(draft("sf", "drones-update", with_footer, title="Story drones"))
    assert b == type(b)(a.article_id, "updated")
    with Session(archive.engine) as session:
        counts = session.execute(
            select(BoilerplateRow.hash, BoilerplateRow.articles).where(
                BoilerplateRow.hash.in_([paragraph_hash(FOOTER), paragraph_hash(story(18)[0])])
            )
        ).all()
    assert sorted(counts) == sorted(
        [(paragraph_hash(FOOTER), 1), (paragraph_hash(story(18)[0]), 1)]
    )


def test_same_publisher_outside_the_window_is_a_new_article_in_the_cluster(
    archive: Archive,
) -> None:
    original = story(5)
    a = archive.save(draft("sf", "anniversary", body(original)))
    b = archive.save(
        draft("sf", "anniversary-2", body(edited(original)), published_at=WHEN + timedelta(days=60))
    )
    assert b.article_id != a.article_id
    article = archive.get(b.article_id)
    assert article is not None and article.cluster == a.article_id


def test_unrelated_articles_on_the_same_topic_are_not_clustered(archive: Archive) -> None:
    ids = [archive.save(draft(p, f"s{n}", body(story(10 + n)))).article_id
           for n, p in enumerate(["sf", "nw", "lc", "sf"])]  # fmt: skip
    assert len(set(ids)) == 4
    assert all(a.cluster is None for a in (archive.get(i) for i in ids) if a is not None)
    assert len(archive.search("drones Tartus", ArticleFilter())) == 4


def test_a_known_feed_guid_is_the_same_article_under_a_new_url(archive: Archive) -> None:
    feed_id = archive.feed_refs()[0].id
    original = story(6)
    a = archive.save(draft("sf", "p=123", body(original), guid="sf-123", feed_id=feed_id))
    rewritten = body([*original[:3], *story(60, 3)])  # half the text replaced
    b = archive.save(draft("sf", "new-slug", rewritten, guid="sf-123", feed_id=feed_id))
    assert b.article_id == a.article_id and b.status == "updated"
    # A feed that reuses one GUID for everything does not merge unrelated stories.
    c = archive.save(
        draft("sf", "other", body(story(61)), guid="sf-123", feed_id=feed_id, title="Other")
    )
    assert c.article_id != a.article_id


def test_one_cluster_grows_and_merges_by_the_smallest_id(archive: Archive) -> None:
    first, second = story(7, 4), story(8, 4)
    a = archive.save(draft("sf", "part-one", body(first)))
    c = archive.save(draft("nw", "part-two", body(second)))
    assert archive.get(a.article_id).cluster is None  # type: ignore[union-attr]
    both = archive.save(draft("lc", "both-parts", body(first + second)))
    clusters = {archive.get(i).cluster for i in (a.article_id, c.article_id, both.article_id)}  # type: ignore[union-attr]
    assert clusters == {a.article_id}


def test_sightings_are_kept_once_a_url_a_day(archive: Archive) -> None:
    text = body(story(9))
    redirected = (("https://sf.test/s/?utm_source=rss", "feed"), ("https://sf.test/r/", "redirect"))
    a = archive.save(draft("sf", "s", text, urls=redirected))
    archive.save(draft("sf", "s", text, urls=redirected))
    archive.attach_urls([(a.article_id, "https://sf.test/amp/s/")], "feed")
    with Session(archive.engine) as session:
        rows = session.scalars(select(SightingRow).order_by(SightingRow.id)).all()
        seen = [(r.url, r.count, r.redirects) for r in rows]
    assert seen == [
        ("https://sf.test/s/?utm_source=rss", 2, ["https://sf.test/r/"]),
        ("https://sf.test/amp/s/", 1, []),
    ]


def test_short_texts_are_never_matched_by_text(archive: Archive) -> None:
    a = archive.save(draft("sf", "video-1", "Watch the video."))
    b = archive.save(draft("sf", "video-2", "Watch the video."))
    assert a.article_id != b.article_id


def test_concurrent_writers_store_one_article(archive: Archive, database_url: str) -> None:
    """Four crawlers meet the same story under four slugs at once: one article."""
    original = story(12)
    drafts = [draft("sf", f"slug-{n}", body(edited(original, seed=n))) for n in range(4)]
    writers = [open_archive(database_url) for _ in drafts]
    barrier = threading.Barrier(len(drafts))
    results: list[int] = []

    def save(writer: Archive, d: ArticleDraft) -> None:
        barrier.wait()
        results.append(writer.save(d).article_id)

    pairs = zip(writers, drafts, strict=True)
    threads = [threading.Thread(target=save, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    assert len(set(results)) == 1
    with Session(archive.engine) as session:
        assert session.scalars(select(ArticleRow.id)).all() == [results[0]]


def test_cli_show_revisions_and_search_all(archive: Archive, database_url: str) -> None:
    original = story(13)
    a = archive.save(draft("sf", "drones", body(original)))
    archive.save(draft("sf", "drones", body(edited(original))))
    archive.save(draft("nw", "copy", body(original)))
    env = {"SCRAPER_DATABASE_URL": database_url}
    runner = CliRunner()
    shown = runner.invoke(cli, ["show", str(a.article_id), "--revisions"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "revision 1 → 2" in shown.output
    assert any(line.startswith("- ") for line in shown.output.splitlines())
    assert any(line.startswith("+ ") for line in shown.output.splitlines())
    collapsed = runner.invoke(cli, ["search", "intercepted", "--format", "json"], env=env)
    assert collapsed.exit_code == 0, collapsed.output
    assert '"also_published_by"' in collapsed.output
    every = runner.invoke(cli, ["search", "intercepted", "--all", "--format", "jsonl"], env=env)
    assert len(every.output.strip().splitlines()) == 2


def test_cli_search_piped_prints_whole_urls(archive: Archive, database_url: str) -> None:
    """Rich drew the table 80 columns wide for a pipe, folding the URL over lines."""
    slug = "-".join(["a-long-slug-that-spells-out-the-whole-headline"] * 3)
    archive.save(draft("sf", slug, body(story(15))))
    found = CliRunner().invoke(
        cli, ["search", "intercepted"], env={"SCRAPER_DATABASE_URL": database_url}
    )
    assert found.exit_code == 0, found.output
    assert f"https://sf.test/{slug}/" in found.output


def test_known_items_met_again_are_sightings(archive: Archive) -> None:
    feed_id = archive.feed_refs()[0].id
    a = archive.save(draft("sf", "s", body(story(14)), feed_id=feed_id))
    archive.record_sightings([(a.article_id, "https://sf.test/s/?utm_source=rss")], feed_id)
    archive.record_sightings([(a.article_id, "https://sf.test/s/?utm_source=rss")], feed_id)
    with Session(archive.engine) as session:
        rows = session.scalars(select(SightingRow)).all()
        assert [(r.count, r.feed_id) for r in rows] == [(3, feed_id)]


def _every_scenario(feed_id: int) -> list[ArticleDraft]:
    """One feed poll's worth of drafts in which every identity rule fires at least once."""
    original, copy_of = story(20), story(21)
    return [
        draft("sf", "drones", body(original), guid="g1", feed_id=feed_id),
        draft("sf", "drones", body(original), urls=(("https://sf-old.test/drones/", "alias"),)),
        draft("sf", "drones-v2", body(edited(original)), published_at=WHEN + timedelta(hours=3)),
        draft("nw", "copy", body([*edited(copy_of), "Republished with permission."])),
        draft("sf", "copy-source", body(copy_of)),
        draft("lc", "unrelated", body(story(22))),
        draft("sf", "renamed", body(story(23)), guid="g1", feed_id=feed_id, title="Other"),
        draft("sf", "video", "Watch the video."),
        draft("nw", "video", "Watch the video."),
    ]


def _snapshot(archive: Archive) -> list[tuple[object, ...]]:
    """The archive as a reader sees it, independent of the order ids were handed out in."""
    articles = list(archive.export(ArticleFilter()))
    by_id = {a.id: a for a in articles}

    def url(article_id: int | None) -> str | None:
        return by_id[article_id].url if article_id in by_id else None

    return sorted(
        (a.url, sorted(a.urls), a.title, a.text, a.revisions, url(a.cluster)) for a in articles
    )


def test_a_batch_stores_exactly_what_one_by_one_saves_store(database_url: str) -> None:
    """Copies, edits, GUID reuse and republications inside one batch are found as if each
    draft had its own transaction: same articles, URLs, revisions and clusters."""
    archive = open_archive(database_url, auto_upgrade=True)
    archive.sync_config(CONFIG)
    feed_id = archive.feed_refs()[0].id
    outcomes = [archive.save(d) for d in _every_scenario(feed_id)]
    expected = _snapshot(archive)
    with Session(archive.engine) as session:  # the same database, emptied
        for table in ("sightings", "article_guids", "article_bands", "revisions", "raw_pages",
                      "article_urls", "boilerplate_paragraphs", "articles"):  # fmt: skip
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
    results = archive.save_batch(_every_scenario(feed_id))
    assert [getattr(r, "status", r) for r in results] == [o.status for o in outcomes]
    assert _snapshot(archive) == expected
    assert len(expected) == 7  # drones (+ alias, edit), copy, source, unrelated, renamed, videos
    archive.close()


def test_one_bad_draft_costs_only_itself(archive: Archive) -> None:
    good = [draft("sf", f"good-{n}", body(story(30 + n))) for n in range(3)]
    bad = draft("nowhere", "x", body(story(40)))  # no such publisher: the insert fails
    results = archive.save_batch([good[0], bad, *good[1:]])
    assert [type(r).__name__ for r in results] == [
        "StoreOutcome", "StorageError", "StoreOutcome", "StoreOutcome"
    ]  # fmt: skip
    assert "https://nowhere.test/x/" in str(results[1])
    assert archive.count() == 3


def test_a_batch_larger_than_one_transaction_is_stored_whole(archive: Archive) -> None:
    drafts = [draft("sf", f"n{n}", body(story(100 + n, 3))) for n in range(BATCH_MAX + 7)]
    drafts.append(drafts[3])  # the same item twice, in different transactions
    results = archive.save_batch(drafts)
    assert [getattr(r, "status", r) for r in results] == ["new"] * (BATCH_MAX + 7) + ["known"]
    assert archive.count() == BATCH_MAX + 7
