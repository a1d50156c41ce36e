"""Offline language identification with py3langid (ISO 639-1 codes)."""

from __future__ import annotations

import re
import threading

_MIN_TEXT_CHARS = 40
_SAMPLE_CHARS = 400
_LANG_TAG = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$")


def language_from_tag(value: str | None) -> str | None:
    """``en-US`` → ``en``; None for values that are not language tags."""
    if not value:
        return None
    match = _LANG_TAG.match(value)
    if match is None:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def detect_language(text: str, fallback: str | None = None) -> str | None:
    """Detect from a sample of ``text``; use ``fallback`` (a tag) when text is too short.

    Only a prefix is classified: language is stable across an article and the
    classifier's cost grows with input length.
    """
    sample = text[:_SAMPLE_CHARS]
    if len(sample) < _MIN_TEXT_CHARS:
        return language_from_tag(fallback)
    try:
        import py3langid

        code, _score = py3langid.classify(sample)
    except Exception:  # a broken model install must not break extraction
        return language_from_tag(fallback)
    return language_from_tag(str(code)) or language_from_tag(fallback)


_load_lock = threading.Lock()
_loaded = False


def model_loaded() -> bool:
    return _loaded


def load_model() -> None:
    """Load the classifier now. py3langid loads its model on first use (1–5 s of CPU): the
    pipeline calls this in a thread before the first article of a crawl is extracted, not on
    the event loop inside it, where it would stall every fetch in flight past its timeout.
    A re-poll that finds nothing new never pays for it."""
    global _loaded
    with _load_lock:  # several feeds may ask at once: one load
        if not _loaded:
            detect_language("Long enough for the language model to classify it, so that it loads.")
            _loaded = True
