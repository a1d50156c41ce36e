"""Tracking query parameters: the ones that say who shared a link, never which article it is.

They are dropped because the same article reached through Twitter, a newsletter and an ad
campaign must get one archive key. The lists are deliberately conservative: a parameter belongs
here only if no publisher uses it to select content. Publisher-specific extras (the BBC's
``at_medium``, the Guardian's ``CMP``) come from ``tracking_params`` in the publishers file.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Parameter names dropped everywhere (compared case-insensitively).
DEFAULT_TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Ad click identifiers: Facebook, Google, DoubleClick, Microsoft, Yandex, Twitter, TikTok.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "rb_clickid", "s_kwcid", "ef_id",
        # Mailchimp, HubSpot, Marketo, Vero, Olytics newsletters.
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok",
        "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id",
        # Google Analytics cross-domain linker, Instagram and Twitter share markers.
        "_ga", "_gl", "igshid", "igsh", "ref_src", "ref_url",
        # Share identifiers of news sites (NYT, Yahoo, WaPo) and Matomo.
        "smid", "smtyp", "ncid", "wpisrc", "wpmm", "pk_campaign", "pk_kwd", "pk_source",
        "pk_medium", "mtm_campaign", "mtm_source", "mtm_medium", "mtm_keyword",
        # Session identifiers of PHP, Java servlets and ColdFusion: a visit, not a page.
        "phpsessid", "jsessionid", "cfid", "cftoken",
    }
)  # fmt: skip

#: Name prefixes dropped everywhere: Google's utm_*, HubSpot ads hsa_*.
DEFAULT_TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "hsa_")


def split_tracking(entries: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Turn config entries (``"cmp"``, ``"at_*"``) into (exact names, prefixes), lowercased."""
    names: set[str] = set()
    prefixes: list[str] = []
    for entry in entries:
        entry = entry.strip().lower()
        if entry.endswith("*"):
            if entry[:-1]:
                prefixes.append(entry[:-1])
        elif entry:
            names.add(entry)
    return frozenset(names), tuple(prefixes)


def is_tracking(key: str, names: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    """Whether query key ``key`` (already percent-normalised) only tracks the visitor."""
    lowered = key.lower()
    return lowered in names or lowered.startswith(prefixes)
