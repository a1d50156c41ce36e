"""Class/id vocabulary that says whether an element holds article text.

Site templates name their boxes after what they hold, so ``class``/``id``
tokens are a cheap and strong signal. "Strong" negatives (comments, share bars,
related links …) are boilerplate even inside an element that also says
"post" or "content"; "weak" negatives lose to a positive word.
"""

from __future__ import annotations

import re

PRUNE = 3
STRONG_NEGATIVE = 2
WEAK_NEGATIVE = 1
NEUTRAL = 0
POSITIVE = -1

_STRONG = re.compile(
    r"comment|disqus|navigation|sidebar|side-bar|sidebox|share|sharing|social|sociable|addthis|"
    r"related|recommend|newsletter|subscri|cookie|consent|gdpr|breadcrumb|caption|"
    r"respond|repl(?:y|ies)|trackback|pingback|outbrain|taboola|promo|popup|modal|"
    r"advert|sponsor|skyscraper|shoutbox|footer|masthead|about[-_]?(?:the[-_]?)?author|"
    r"author[-_]?(?:bio|info|box|about|desc|profile)|(?:post|entry|article)[-_]?author(?:$|\s)|"
    r"(?:^|\s)author(?:[-_][a-z]+)?(?:$|\s)|"
    r"postmetadata|entry-utility|entry-footer|"
    r"post-footer|copyright|disclaimer|"
    r"signup|sign-up|login|navbar|pagination|pager\b|tagcloud|tag-?list|print-?only|"
    r"donat|paywall|membership|fundrais|support[-_]?(?:box|us|banner|cta)",
)
_WEAK = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|ads?|ad-[a-z]+|banner|widget|tags|tools?|toolbar|meta|"
    r"foot|topbar|bottom|more|links|hidden|hide|rss|feed|extra|"
    r"aside|slideshow|gallery|thumb)s?(?:$|[\s_-])|"
    r"-ad-|_ad_|adsense|dfp|combx|contact|shopping|community|tweet|twitter|facebook"
)
_POSITIVE = re.compile(r"article|content|entry|post|story|body|text|main|blog|hentry|column")
# CMS taxonomy classes ("tag-promotion", "category-social-media") describe the
# article's topic, not the element's role.
_TAXONOMY = re.compile(
    r"(?:^|\s)(?:(?:tag|tags|category|categories|format|postid|topic|term|series)[-_][^\s]*|"
    r"(?:post|page|author|entry)[-_]\d+)"
)
# Words of layout wrappers: "content-sidebar-wrap" may hold the article itself.
_WRAPPER = re.compile(
    r"wrap|container|content|main|page|layout|body|article|post|entry|column|inner"
)
_PROTECTED_TAGS = frozenset({"html", "body", "article", "main"})


_CACHE: dict[str, int] = {}
_CACHE_SIZE = 20_000


def classify(tag: str, class_id: str) -> int:
    """Return PRUNE, STRONG_NEGATIVE, WEAK_NEGATIVE, NEUTRAL or POSITIVE.

    PRUNE is a strong negative whose name gives no hint of being a wrapper, so
    the subtree need not even be looked at.
    """
    if not class_id or tag in _PROTECTED_TAGS:
        return POSITIVE if tag in ("article", "main") else NEUTRAL
    hint = _CACHE.get(class_id)
    if hint is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()  # bounded memo: templates repeat the same few strings
        hint = _CACHE[class_id] = _classify(class_id.lower())
    return hint


def _classify(class_id: str) -> int:
    """Classify a lower-cased class/id string (case-folding the regex is 7x slower)."""
    class_id = _TAXONOMY.sub(" ", class_id)
    if _STRONG.search(class_id):
        return STRONG_NEGATIVE if _WRAPPER.search(class_id) else PRUNE
    positive = _POSITIVE.search(class_id) is not None
    if _WEAK.search(class_id):
        return NEUTRAL if positive else WEAK_NEGATIVE
    return POSITIVE if positive else NEUTRAL
