"""Fingerprints, band keys, the same-article / cluster rule and the revision diff (pure)."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

from scraper.dedup.fingerprint import tokens, word_count
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


ZH = (
    "国家统计局今天发布数据显示，前三季度国内生产总值同比增长百分之五，消费和投资的拉动作用增强。"
    "\n\n发言人表示，下一阶段将继续扩大国内需求，推动经济持续回升向好，房地产调整仍是主要风险。"
)
JA = "東京都は今日、新しい防災計画を発表しました。地震や台風に備え、避難所の数を増やします。"
TH = "กรุงเทพมหานครประกาศแผนป้องกันน้ำท่วมฉบับใหม่ในวันนี้"


def test_unspaced_scripts_count_and_shingle_by_character() -> None:
    """Chinese, Japanese and Thai have no spaces between words: each character is a word, so
    such texts reach the length floor, and an edit changes only the shingles around it."""
    assert word_count(ZH) == sum(not c.isspace() and c not in "，。" for c in ZH)
    assert word_count(JA) == 39 and word_count(TH) == len(TH)
    assert word_count("GDP增长5% in Q3 — up") == 8  # GDP 增 长 5, then in Q3 — up as before
    assert tokens("年增长 GDP 5.2") == ["年", "增", "长", "GDP", "5", "2"]
    edited = ZH.replace("百分之五", "百分之六")
    sim = similarity(shingle_hashes(ZH), shingle_hashes(edited))
    assert 0.8 < sim.containment < 1
    assert similarity(shingle_hashes(ZH), shingle_hashes(JA)).containment == 0


def test_spaced_texts_tokenise_as_before() -> None:
    """Stored band keys of texts in spaced scripts stay valid: their words are ``\\w+`` runs
    and their word count is the whitespace count, as before."""
    sample = text(5) + " don't U.S.-based Ωμέγα déjà-vu — 1_000 ½"
    assert tokens(sample) == re.findall(r"\w+", sample)
    assert word_count(sample) == len(sample.split())
