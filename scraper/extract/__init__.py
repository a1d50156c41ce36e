"""Article extraction: main text and metadata from a news or blog page.

``extract()`` takes the raw page (bytes or text) and returns an
:class:`Extraction`; it never raises. ``html_to_text()`` renders a fragment
(e.g. a feed item body) in the same text format; ``decode_html()`` turns
response bytes into text the way ``extract()`` does.
"""

from scraper.extract.decode import decode_html
from scraper.extract.extractor import extract, html_to_text
from scraper.extract.model import DEFAULT_MAX_BYTES, Extraction, ExtractRules

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ExtractRules",
    "Extraction",
    "decode_html",
    "extract",
    "html_to_text",
]
