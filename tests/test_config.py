from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import load_config
from scraper.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

SOUTHFRONT = """
[[publisher]]
id = "southfront"
name = "SouthFront: Analysis and Intelligence"
canonical_domain = "southfront.press"
feeds = ["https://southfront.press/feed/"]
aliases = [
  { domain = "southfront.org", status = "blocked" },
  { domain = "southfront.com", since = 2013, until = 2015 },
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "publishers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_shape_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOUTHFRONT))
    (publisher,) = config.publishers
    assert publisher.domains == ("southfront.press", "southfront.org", "southfront.com")
    assert publisher.aliases[0].status == "blocked"
    assert (publisher.aliases[1].since, publisher.aliases[1].until) == (2013, 2015)


def test_shipped_example_is_valid() -> None:
    config = load_config(ROOT / "config" / "publishers.toml")
    assert config.publisher("southfront").canonical_domain == "southfront.press"
    assert len(config.publishers) >= 4


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('aliases = [{ domain = "x.org", status = "gone" }]', "publisher 'x': aliases[0].status"),
        ('aliases = [{ domain = "x.org", since = 2016, until = 2015 }]', "since (2016) is after"),
        ('feeds = ["ftp://x.com/feed"]', "feeds: feed 'ftp://x.com/feed' is not an http(s) URL"),
        ('colour = "red"', "publisher 'x': colour: Extra inputs are not permitted"),
        ('boilerplate = ["(unclosed"]', "boilerplate: pattern '(unclosed' is not a valid regex"),
    ],
)
def test_errors_name_file_publisher_and_field(tmp_path: Path, snippet: str, expected: str) -> None:
    path = write(
        tmp_path, f'[[publisher]]\nid = "x"\nname = "X"\ncanonical_domain = "x.com"\n{snippet}\n'
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_publisher_without_id_is_named_by_position(tmp_path: Path) -> None:
    path = write(tmp_path, SOUTHFRONT + '\n[[publisher]]\nname = "Y"\ncanonical_domain = "y.com"\n')
    with pytest.raises(ConfigError, match=r"publisher #2: id: Field required"):
        load_config(path)


def test_a_domain_belongs_to_one_publisher(tmp_path: Path) -> None:
    other = '\n[[publisher]]\nid = "copycat"\nname = "C"\ncanonical_domain = "southfront.org"\n'
    with pytest.raises(ConfigError, match="already belongs to publisher 'southfront'"):
        load_config(write(tmp_path, SOUTHFRONT + other))


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[publisher]\n"))


def test_pasted_domains_are_normalised(tmp_path: Path) -> None:
    text = SOUTHFRONT.replace('"southfront.press"', '"https://SouthFront.Press/"', 1)
    assert load_config(write(tmp_path, text)).publishers[0].canonical_domain == "southfront.press"


def test_a_file_that_is_not_utf8_is_a_config_error_saying_where(tmp_path: Path) -> None:
    path = tmp_path / "publishers.toml"
    path.write_bytes(SOUTHFRONT.replace("Analysis", "Analyse \xe9").encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    offset = SOUTHFRONT.encode().index(b"Analysis") + len("Analyse ")
    assert str(path) in message and "not UTF-8" in message
    assert f"byte offset {offset}" in message and "line 4" in message
