"""A deterministic, realistic mix of news URLs for the canonicalisation benchmark.

The mix follows what a crawler sees in feeds and on pages: mostly https links on a publisher's
own host, many with ``utm_*`` or click identifiers, some AMP spellings, ``www.``/``m.`` hosts,
links on old alias domains, a few Unicode hosts and paths, and links to foreign aggregators.
"""

from __future__ import annotations

import random

from scraper.config import Publisher

SEED = 20240501
COUNT = 200_000

# fmt: off
_WORDS = (
    "russia", "ukraine", "war", "front", "report", "analysis", "military", "drone", "strike",
    "syria", "israel", "gaza", "iran", "election", "president", "minister", "economy",
    "sanctions", "oil", "gas", "energy", "nato", "army", "navy", "missile", "battle", "city",
    "region", "village", "offensive", "defence", "talks", "peace", "deal", "summit", "crisis",
)
# fmt: on
_CYRILLIC = ["война", "фронт", "анализ", "доклад", "армия", "город", "регион", "переговоры"]
_FOREIGN = ("news.google.com", "t.co", "www.reddit.com", "feedly.com", "archive.ph")
_TRACKING = (
    "utm_source=twitter",
    "utm_medium=social",
    "utm_campaign=daily-digest",
    "utm_content=link",
    "fbclid=IwAR2x9QkLmT7",
    "gclid=Cj0KCQjw",
    "mc_cid=8f1a2b",
    "mc_eid=77ac",
    "_ga=2.1234.5678",
    "igshid=MzRlODBi",
)
_REAL = ("id={n}", "p={n}", "page=2", "lang=en", "s=search+term", "cat=world")


def publishers() -> list[Publisher]:
    """SouthFront as configured, plus 40 publishers with aliases so lookups are not trivial."""
    southfront = Publisher.model_validate(
        {
            "id": "southfront",
            "name": "SouthFront",
            "canonical_domain": "southfront.press",
            "aliases": [
                {"domain": "southfront.org", "status": "blocked"},
                {"domain": "southfront.com"},
            ],
        }
    )
    others = [
        Publisher.model_validate(
            {
                "id": f"pub{i}",
                "name": f"Publisher {i}",
                "canonical_domain": f"www.news{i}.example" if i % 3 == 0 else f"news{i}.example",
                "aliases": [{"domain": f"old-news{i}.example", "status": "redirecting"}],
                "trailing_slash": "add" if i % 5 == 0 else "keep",
            }
        )
        for i in range(40)
    ]
    return [southfront, *others]


def generate(count: int = COUNT, seed: int = SEED) -> list[str]:
    """``count`` URLs; the same list for the same seed on every machine."""
    rng = random.Random(seed)
    hosts = _hosts()
    return [_url(rng, hosts) for _ in range(count)]


def _hosts() -> list[str]:
    hosts = ["southfront.press", "southfront.org", "southfront.com"]
    for i in range(40):
        hosts += [f"news{i}.example", f"old-news{i}.example"]
    return hosts


def _url(rng: random.Random, hosts: list[str]) -> str:
    roll = rng.random()
    host = rng.choice(_FOREIGN) if roll < 0.08 else rng.choice(hosts)
    host = _host_variant(rng, host)
    scheme = "http" if rng.random() < 0.15 else "https"
    url = f"{scheme}://{host}{_path(rng)}"
    query = _query(rng)
    if query:
        url += "?" + "&".join(query)
    if rng.random() < 0.12:
        url += rng.choice(("#comments", "#respond", "#", "#section-2"))
    return url


def _host_variant(rng: random.Random, host: str) -> str:
    roll = rng.random()
    if roll < 0.30:
        host = "www." + host.removeprefix("www.")
    elif roll < 0.35:
        host = "m." + host.removeprefix("www.")
    elif roll < 0.38:
        host = "amp." + host.removeprefix("www.")
    elif roll < 0.42:
        host = host.upper()
    elif roll < 0.44:
        host = "новости." + host  # a Unicode subdomain: IDNA
    if rng.random() < 0.02:
        host += ":443"
    return host


def _slug(rng: random.Random) -> str:
    words = _CYRILLIC if rng.random() < 0.04 else _WORDS
    return "-".join(rng.choice(words) for _ in range(rng.randint(3, 9)))


def _path(rng: random.Random) -> str:
    n = rng.randint(1, 9_999_999)
    style = rng.random()
    if style < 0.5:
        path = f"/{rng.randint(2013, 2024)}/{rng.randint(1, 12):02d}/{_slug(rng)}/"
    elif style < 0.75:
        path = f"/news/{rng.choice(_WORDS)}-{n}"
    elif style < 0.9:
        path = f"/{rng.choice(_WORDS)}/{_slug(rng)}-{n}.html"
    else:
        path = f"/{_slug(rng)}/"
    return _amp_variant(rng, path)


def _amp_variant(rng: random.Random, path: str) -> str:
    roll = rng.random()
    if roll < 0.05 and path.endswith("/"):
        return path + "amp/"
    if roll < 0.07:
        return "/amp" + path
    if roll < 0.08 and path.endswith(".html"):
        return path[:-5] + ".amp.html"
    if roll < 0.09:
        return path.replace("/news/", "//news/./")
    return path


def _query(rng: random.Random) -> list[str]:
    params: list[str] = []
    if rng.random() < 0.45:
        params += rng.sample(_TRACKING[:4], rng.randint(1, 4))
    if rng.random() < 0.12:
        params.append(rng.choice(_TRACKING[4:]))
    if rng.random() < 0.20:
        params.append(rng.choice(_REAL).format(n=rng.randint(1, 99_999)))
    if rng.random() < 0.04:
        params.append("amp=1")
    rng.shuffle(params)
    return params
