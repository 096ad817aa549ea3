"""The canary: nothing unpublished shows on any public page until it is due (issue 22).

A draft and a scheduled release carry words and tags of every kind that nothing else
holds. Every URL pattern outside the admin is found in the URL configuration and filled
from real objects (so a new page is covered the day it is added), listings are asked for
the canaries by search, misspelt search and filter, and then:

- no response names a canary (its words, tag names, acronyms or slugs, in any case);
- no response is a server error;
- every response is exactly what it is once the canaries are deleted: a draft-only tag
  answers as a tag that does not exist, and no count moves.

Then the clock moves to the scheduled release's day, and it shows where it should.
CI runs this file on SQLite and on PostgreSQL.
"""

import datetime
import difflib
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlencode

import pytest
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.text import slugify

from releases import sitemaps
from releases.listing import FilteredReleasesMixin
from releases.models import Agency, Figure, Programme, Release


@dataclass
class Canary:
    """A release no reader may see yet, and tags only it carries.

    Every word of its own is made up (`secrets` lists them), so that finding one on a
    page can only mean the page shows the canary.
    """

    title: str
    slug: str
    summary: str
    body: str
    agency: str
    acronym: str
    programme: str
    figure: str
    word: str  # a word of its body, which a reader might search for
    typo: str  # that word misspelt
    secret_words: tuple
    fields: dict = field(default_factory=dict)

    @property
    def agency_slug(self):
        return slugify(self.agency)

    @property
    def old_agency_slug(self):
        return f"{self.agency_slug}-old"

    @property
    def programme_slug(self):
        return slugify(self.programme)

    @property
    def figure_slug(self):
        return slugify(self.figure)

    @property
    def old_slug(self):
        return f"{self.slug}-old"

    def secrets(self) -> list[str]:
        """What no public page may show: its words, acronym and slugs, in lower case."""
        slugs = (self.slug, self.old_slug, self.agency_slug, self.old_agency_slug)
        slugs += (self.programme_slug, self.figure_slug)
        return sorted({*(w.lower() for w in self.secret_words), self.acronym.lower(), *slugs})


DRAFT = Canary(
    title="Vorpalux quendrix accord",
    slug="vorpalux-quendrix",
    summary="Snarfbleep partners sign.",
    body="The flibbertigibbet glorptastic plan.",
    agency="Wuzzleberg Authority",
    acronym="WZBQX",
    programme="Klendathu Initiative",
    figure="99 zorgonite widgets",
    word="flibbertigibbet",
    typo="flibbertigibet",
    secret_words=(
        "vorpalux", "quendrix", "snarfbleep", "flibbertigibbet", "glorptastic",
        "wuzzleberg", "klendathu", "zorgonite",
    ),
    fields={"status": Release.Status.DRAFT},
)  # fmt: skip
SCHEDULED = Canary(
    title="Mimsical borogove accord",
    slug="mimsical-borogove",
    summary="Tumtumtree partners sign.",
    body="The frumiousity galumphing plan.",
    agency="Jubjubbird Authority",
    acronym="JBJBQ",
    programme="Bandersnatch Initiative",
    figure="42 slithytove widgets",
    word="frumiousity",
    typo="frumiosity",
    secret_words=(
        "mimsical", "borogove", "tumtumtree", "frumiousity", "galumphing",
        "jubjubbird", "bandersnatch", "slithytove",
    ),
)  # fmt: skip
CANARIES = (DRAFT, SCHEDULED)


def plant(canary: Canary, make_release, imda, published_on):
    """The canary release, its tags (the agency renamed once: an old address too)."""
    agency = Agency.objects.create(
        name=canary.agency, slug=canary.old_agency_slug, acronym=canary.acronym
    )
    agency.slug = canary.agency_slug
    agency.save()
    release = make_release(
        title=canary.title,
        slug=canary.old_slug,
        summary=canary.summary,
        body=canary.body,
        published_on=published_on,
        agencies=[agency, imda],
        programmes=[canary.programme],
        figures=[canary.figure],
        **canary.fields,
    )
    release.slug = canary.slug
    release.save()
    return release


def uproot():
    """Delete every canary and its tags, leaving the archive as if they had never been."""
    Release.objects.filter(slug__in=[c.slug for c in CANARIES]).delete()
    Agency.objects.filter(acronym__in=[c.acronym for c in CANARIES]).delete()
    Programme.objects.filter(name__in=[c.programme for c in CANARIES]).delete()
    Figure.objects.filter(name__in=[c.figure for c in CANARIES]).delete()


# --- Every public URL ---------------------------------------------------------------


def public_patterns():
    """(view name, route, parameter names) of every URL pattern outside the admin."""

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(filter(None, [namespace, entry.namespace]))
                yield from walk(entry.url_patterns, route, inner)
            else:
                name = ":".join(filter(None, [namespace, entry.name]))
                yield name, route, frozenset(entry.pattern.regex.groupindex)

    for name, route, params in walk(get_resolver().url_patterns, "", ""):
        if not route.lstrip("^").startswith("admin/"):
            yield name, route, params


# The path segment before a `slug`, and whose slugs it takes.
COLLECTIONS = {
    "releases": "release",
    "agencies": "agency",
    "programmes": "programme",
    "figures": "figure",
}
VERSION_NUMBERS = {"n", "number", "version"}  # what a release's version may be called


def collection(route: str) -> str | None:
    """Which slugs a route's `slug` takes, from the path segment just before it."""
    match = re.search(r"(\w+)/(?:<(?:\w+:)?slug>|\(\?P<slug>)", route)
    return COLLECTIONS.get(match.group(1)) if match else None


@dataclass
class Site:
    """The values to fill URL patterns with: public objects', the canaries', and none."""

    slugs: dict  # collection -> slugs
    cards: list  # (slug, key)
    renditions: list  # (key, width, ext)

    def fillings(self, name, route, params) -> list[dict]:
        if not params:
            return [{}]
        if params == {"slug"} and collection(route):
            return [{"slug": slug} for slug in self.slugs[collection(route)]]
        if params == {"slug", "key"} and "card-" in route:
            return [{"slug": slug, "key": key} for slug, key in self.cards]
        if params == {"key", "width", "ext"}:
            return [{"key": k, "width": w, "ext": e} for k, w, e in self.renditions]
        if params == {"section"}:
            return [{"section": section} for section in [*sitemaps.sitemaps, "nothing"]]
        numbered = params - {"slug"}
        if len(numbered) == 1 and numbered <= VERSION_NUMBERS and collection(route) == "release":
            (number,) = numbered
            return [{"slug": s, number: n} for s in self.slugs["release"] for n in (1, 2, 9)]
        pytest.fail(
            f"The canary cannot fill {name} ({route}, parameters {sorted(params)}): teach "
            "Site.fillings how, so that the page is checked for unpublished content."
        )


def site_values(public: dict) -> Site:
    """Public objects' values, the canaries' (current and old), and a slug of nothing."""
    slugs = {kind: [*values, "nothing-at-all"] for kind, values in public["slugs"].items()}
    for canary in CANARIES:
        slugs["release"] += [canary.slug, canary.old_slug]
        slugs["agency"] += [canary.agency_slug, canary.old_agency_slug]
        slugs["programme"].append(canary.programme_slug)
        slugs["figure"].append(canary.figure_slug)
    cards = list(public["cards"])
    for canary in CANARIES:
        release = Release.objects.get(slug=canary.slug)
        cards.append((canary.slug, release.social_card_key))
    return Site(slugs=slugs, cards=cards, renditions=public["renditions"])


def query_variants() -> list[dict]:
    """What a reader might ask a listing for that only a canary could answer."""
    variants = [{"q": "shenzen OR " + DRAFT.typo}, {"figure": "8-mous-signed"}]
    for canary in CANARIES:
        variants += [
            {"q": canary.word},
            {"q": canary.typo},
            {"q": canary.title.split()[0][:-1]},
            {"q": canary.acronym},
            {"q": f"shenzhen {canary.typo}", "agency": "imda"},
            {"agency": canary.agency_slug},
            {"agency": canary.old_agency_slug},
            {"agency": ["imda", canary.agency_slug]},
            {"programme": canary.programme_slug},
            {"figure": canary.figure_slug},
        ]
    return variants


def is_listing(url: str) -> bool:
    view_class = getattr(resolve(url.split("?")[0]).func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, FilteredReleasesMixin)


def every_url(site: Site) -> list[str]:
    urls = []
    for name, route, params in public_patterns():
        for n, kwargs in enumerate(site.fillings(name, route, params)):
            url = reverse(name, kwargs=kwargs)
            urls.append(url)
            if is_listing(url) and n == 0:
                urls += [f"{url}?{urlencode(v, doseq=True)}" for v in query_variants()]
            if name.endswith("compare"):
                urls.append(f"{url}?from=1&to=2")  # two versions side by side
    urls += ["/sitemap-releases.xml?p=2", "/releases/?page=2", "/search/?q=shenzhen&page=2"]
    return urls


def fetch(client, url) -> tuple[int, str, str]:
    """Status, body and headers (a redirect's Location names where it leads)."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return response.status_code, body.decode("utf-8", "replace"), headers


def steady(text: str) -> str:
    """The response less what differs on every request: script nonces, and the date of
    a feed without entries (the clock's, for want of an entry's)."""
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    if "<feed" in text and "<entry>" not in text:
        text = re.sub(r"<updated>[^<]*</updated>", "<updated></updated>", text)
    return text


def revealed(url: str, text: str, canaries) -> list[str]:
    """The canary strings in a response that its own URL did not ask for."""
    asked = unquote_plus(url).lower()
    text = text.lower()
    return [s for c in canaries for s in c.secrets() if s not in asked and s in text]


def sweep(client, urls, canaries) -> dict:
    seen, problems = {}, []
    for url in urls:
        status, text, headers = fetch(client, url)
        seen[url] = (status, steady(text))
        if status >= 500:
            problems.append(f"{url}: {status}")
        leaks = revealed(url, text + headers, canaries)
        if leaks:
            problems.append(f"{url} ({status}) reveals {leaks}")
    assert not problems, "\n".join(problems)
    return seen


def difference(url, with_canaries, without) -> str:
    """How a page differs with the canaries from without them ("" if it does not)."""
    if with_canaries == without:
        return ""
    (status, text), (status_without, text_without) = with_canaries, without
    lines = difflib.unified_diff(text_without.splitlines(), text.splitlines(), lineterm="", n=0)
    changed = [line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return f"{url}: {status} with the canaries, {status_without} without: {changed[:4]}"


# --- The archive ----------------------------------------------------------------------


@pytest.fixture
def public(make_release, imda, mci, smart_city, pictured_release):
    """A small public archive, sharing a public agency with the canaries."""
    mou = make_release(
        title="Singapore and Shenzhen sign eight MoUs",
        slug="singapore-shenzhen-mous",
        published_on=datetime.date(2022, 12, 2),
        summary="Eight memoranda were signed in Shenzhen.",
        body="Eight MoUs were signed on smart city projects.",
        agencies=[imda, mci],
        programmes=[smart_city],
        figures=["8 MoUs signed"],
    )
    make_release(
        title="Shenzhen delegation visits",
        slug="shenzhen-delegation",
        body="A delegation from Shenzhen visited Singapore.",
        agencies=[imda],
    )
    hero = pictured_release.hero
    return {
        "slugs": {
            "release": [mou.slug, pictured_release.slug],
            "agency": ["imda", "mci"],
            "programme": [smart_city.slug],
            "figure": ["8-mous-signed"],
        },
        "cards": [(r.slug, r.social_card_key) for r in (mou, pictured_release)],
        "renditions": [(hero.key, width, ext) for width in hero.widths for ext in ("webp", "jpg")],
    }


@pytest.fixture
def planted(public, make_release, imda, tomorrow):
    plant(DRAFT, make_release, imda, datetime.date(2023, 3, 3))
    plant(SCHEDULED, make_release, imda, tomorrow)


def test_nothing_unpublished_shows_on_any_public_url(client, public, planted):
    urls = every_url(site_values(public))
    with_canaries = sweep(client, urls, CANARIES)
    for canary in CANARIES:
        assert with_canaries[f"/releases/{canary.slug}/"][0] == 404
        assert with_canaries[f"/agencies/{canary.agency_slug}/"][0] == 404
    uproot()
    without = sweep(client, urls, ())
    differ = [difference(url, with_canaries[url], without[url]) for url in urls]
    differ = [d for d in differ if d]
    assert not differ, "Pages that tell the canaries are there:\n" + "\n".join(differ)


def test_the_scheduled_release_shows_once_due_and_the_draft_still_not(
    client, public, planted, tomorrow, monkeypatch
):
    urls = every_url(site_values(public))
    sweep(client, urls, CANARIES)  # every page and count cached while it is not yet due
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, tz=None: localdate(value, tz) if value else tomorrow,
    )
    sweep(client, urls, [DRAFT])
    due = SCHEDULED
    pages = [
        f"/releases/{due.slug}/",
        f"/agencies/{due.agency_slug}/",
        f"/programmes/{due.programme_slug}/",
        f"/figures/{due.figure_slug}/",
        "/releases/",
        f"/search/?q={due.word}",
        f"/releases/?agency={due.agency_slug}",
        f"/feeds/releases.atom?programme={due.programme_slug}",
    ]
    for url in pages:
        status, text, _ = fetch(client, url)
        assert status == 200, url
        assert due.title in text, url
    assert f"/releases/{due.slug}/" in fetch(client, f"/releases/{due.old_slug}/")[2]
    assert f"/agencies/{due.agency_slug}/" in fetch(client, f"/agencies/{due.old_agency_slug}/")[2]
    for url, name in [
        ("/agencies/", due.agency),
        ("/programmes/", due.programme),
        ("/figures/", due.figure),
        ("/releases/", due.agency),
        ("/sitemap-agencies.xml", due.agency_slug),
    ]:
        assert name in fetch(client, url)[1], url
    suggested = client.get("/api/releases/", {"q": due.typo}).json()
    assert suggested.get("suggestion") == due.word
