"""WARC output: each stored page as a ``response`` record, its clean text as ``metadata``.

Pages are stored with their transfer encoding already undone, so the HTTP headers written
here drop Content-Encoding / Transfer-Encoding and carry the true Content-Length; replaying
tools then read the body as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from io import BytesIO
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper import __version__
from scraper.query.contract import iso
from scraper.store.raw import StoredPage

_DROP = {"content-encoding", "transfer-encoding", "content-length", "connection"}


def write_warc(pages: Iterable[StoredPage], out: BinaryIO) -> int:
    writer = WARCWriter(out, gzip=True)
    writer.write_record(
        writer.create_warcinfo_record(
            "scraper-export.warc.gz", {"software": f"scraper/{__version__}", "format": "WARC/1.0"}
        )
    )
    count = 0
    for stored in pages:
        _write_page(writer, stored)
        count += 1
    return count


def _write_page(writer: WARCWriter, stored: StoredPage) -> None:
    page = stored.page
    try:
        reason = HTTPStatus(page.status).phrase
    except ValueError:
        reason = "Unknown"
    headers = [(k, v) for k, v in page.headers.items() if k.lower() not in _DROP]
    headers.append(("Content-Length", str(len(page.body))))
    http_headers = StatusAndHeaders(f"{page.status} {reason}", headers, protocol="HTTP/1.1")
    date = iso(page.fetched_at)
    response = writer.create_warc_record(
        page.url,
        "response",
        payload=BytesIO(page.body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": date or ""},
    )
    writer.write_record(response)
    text = f"title: {stored.title or ''}\narticle-id: {stored.article_id}\n\n{stored.text}"
    metadata = writer.create_warc_record(
        page.url,
        "metadata",
        payload=BytesIO(text.encode("utf-8")),
        warc_content_type="text/plain; charset=utf-8",
        warc_headers_dict={
            "WARC-Date": date or "",
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(metadata)
