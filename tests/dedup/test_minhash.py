"""Fingerprints, band keys, the same-article / cluster rule and the revision diff (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from scraper.dedup.minhash import BANDS, Fingerprint, shingle_hashes, signature, similarity
from scraper.dedup.policy import DedupPolicy
from scraper.dedup.revisions import Version, history, paragraph_diff

_WORD_TEXT = (
    "drone base navy port missile strike officials said ministry defense forces region night "
    "attack city residents power station army reported early morning local sources claimed "
    "video footage damage air system launched several unmanned aerial vehicles were shot down"
)
WORDS = _WORD_TEXT.split()


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    sentences = [" ".join(rng.choices(WORDS, k=12)).capitalize() + "." for _ in range(words // 12)]
    return "\n\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def test_typesetting_does_not_change_the_fingerprint() -> None:
    original = text(1)
    retyped = original.replace(" ", "  ").upper().replace("\n\n", "\n\n\n")
    assert Fingerprint.of(original) == Fingerprint.of(retyped)


def test_signature_is_stable_and_has_one_key_per_band() -> None:
    fp = Fingerprint.of(text(2))
    assert len(fp.keys) == BANDS
    assert all(0 <= k < 2**63 for k in fp.keys)
    assert Fingerprint.of(text(2)).keys == fp.keys  # no per-process hash seed
    assert signature(frozenset()) == ()


def test_a_truncated_copy_with_a_footer_shares_bands_and_is_contained() -> None:
    original = text(3, 400)
    cut = original[: int(len(original) * 0.6)] + "\n\n___\n\nRepublished from Example News."
    a, b = Fingerprint.of(original), Fingerprint.of(cut)
    assert set(a.keys) & set(b.keys)
    assert similarity(a.shingles, b.shingles).containment > 0.9


def test_unrelated_texts_on_one_topic_share_no_band() -> None:
    a, b = Fingerprint.of(text(4)), Fingerprint.of(text(5))
    assert not set(a.keys) & set(b.keys)
    assert similarity(a.shingles, b.shingles).containment < 0.1


def test_short_texts_still_hash() -> None:
    assert len(shingle_hashes("Two words")) == 1
    assert shingle_hashes("") == frozenset()


def test_policy_verdicts() -> None:
    policy = DedupPolicy(window=timedelta(days=14), same_article=0.7, cluster=0.6)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    assert policy.verdict(0.9, True, now, now - timedelta(days=3)) == "same"
    assert policy.verdict(0.9, True, now, now - timedelta(days=30)) == "cluster"
    assert policy.verdict(0.9, False, now, now) == "cluster"
    assert policy.verdict(0.65, True, now, now) == "cluster"
    assert policy.verdict(0.3, True, now, now) == "none"
    assert policy.verdict(0.9, True, None, now) == "same"


def test_paragraph_diff_and_history() -> None:
    old = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    new = "First paragraph.\n\nSecond paragraph, corrected.\n\nThird paragraph."
    assert paragraph_diff(old, new) == [
        "  First paragraph.",
        "- Second paragraph.",
        "+ Second paragraph, corrected.",
        "  Third paragraph.",
    ]
    when = datetime(2025, 3, 1, 12, tzinfo=UTC)
    lines = history([Version("A", old, when), Version("B", new, when + timedelta(hours=2))])
    assert lines[0] == "── revision 1 → 2: 2025-03-01 12:00 → 2025-03-01 14:00"
    assert "- title: A" in lines and "+ title: B" in lines
    assert "+ Second paragraph, corrected." in lines
