"""One ASCII spelling for internationalised host names, shared by the configuration and the
URL resolver so a configured domain and a crawled URL's host always agree."""

from __future__ import annotations

import idna


def ascii_host(host: str) -> str:
    """``host`` with its Unicode labels in punycode, as browsers and httpx write them.

    UTS #46 non-transitional (IDNA 2008): ``straße.de`` is ``xn--strae-oqa.de``, a domain of
    its own. Python's ``idna`` codec (IDNA 2003) maps it to ``strasse.de``, another owner's
    domain, so a publisher's real host would look foreign and failover could fetch from the
    other one. ASCII labels are kept as they are (underscores occur in the wild). Raises
    :class:`UnicodeError` (``idna.IDNAError``) for a label no registry would accept.
    """
    mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
    return ".".join(
        label if label.isascii() else idna.alabel(label).decode("ascii")
        for label in mapped.split(".")
    )
