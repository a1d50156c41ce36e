"""Load the Dragnet development set from ``shared/`` (never copied into the repo)."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path

from scraper.extract import decode_html

ENV_VAR = "SCRAPER_DRAGNET_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "datasets" / "extraction-dragnet"


@dataclass(frozen=True, slots=True)
class Page:
    """One decoded page and its human-marked article text."""

    page_id: str
    html: str
    truth: str


def dataset_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data`` wins, then ``$SCRAPER_DRAGNET_DIR``, then ``../shared/...``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_DIR


def split_ids(root: Path, split: str) -> list[str]:
    """Page ids of ``split`` (``all``, ``train`` or ``test``), in a stable order."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    if split == "all":
        return sorted(truth)
    splits = json.loads((root / "splits.json").read_text(encoding="utf-8"))
    return sorted(splits[split])


def load_pages(root: Path, ids: list[str]) -> list[Page]:
    """Read and decode pages; decoding is done here so it is never timed."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in ids:
        raw = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(Page(page_id, decode_html(raw), truth[page_id]["articleBody"]))
    return pages
