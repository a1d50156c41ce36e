"""AMP spellings of an article URL, folded back into the article URL.

Publishers serve the same story as an AMP page under several spellings; the archive must see one
article, not two. Folding is only safe on hosts whose publisher is known to use these forms (a
site could have a real section called ``/amp/``), so :func:`fold_amp_path` and
:func:`is_amp_param` are called only when the publisher policy has ``fold_amp`` set.

Forms handled (all repeated until none applies, so folding is idempotent):

* ``/story/amp/`` and ``/story/amp`` → ``/story/`` (WordPress AMP plugin, the most common);
* ``/amp/story/`` → ``/story/`` (AMP path prefix; ``/amp/`` alone → ``/``);
* ``/story.amp.html`` → ``/story.html`` and ``/story.amp`` → ``/story``;
* ``?amp``, ``?amp=1``, ``?amp=true`` and ``?outputType=amp`` query parameters;
* the ``amp.`` host prefix is a host variant, handled in :mod:`scraper.domains.hosts`.
"""

from __future__ import annotations

_AMP_VALUES = frozenset({"", "1", "true"})


def is_amp_param(key: str, value: str) -> bool:
    """Whether the query parameter only asks for the AMP rendering."""
    lowered = key.lower()
    if lowered == "amp":
        return value.lower() in _AMP_VALUES
    return lowered == "outputtype" and value.lower() == "amp"


def fold_amp_path(path: str) -> str:
    """``path`` without its AMP spelling; ``path`` must be normalised (starts with ``/``)."""
    if "amp" not in path:
        return path
    while True:
        folded = _fold_once(path)
        if folded == path:
            return path
        path = folded


def _fold_once(path: str) -> str:
    if path.endswith("/amp/"):
        return path[:-4]
    if path.endswith("/amp"):
        return path[:-3]
    if path.startswith("/amp/"):
        return path[4:]
    if path.endswith(".amp.html"):
        return path[:-9] + ".html"
    if path.endswith(".amp") and path[path.rfind("/") + 1 : -4] not in ("", ".", ".."):
        return path[:-4]
    return path
