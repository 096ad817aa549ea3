"""Full-text search (releases/search/): syntax, ranking, snippets, facets, spelling,
index consistency and bad input. CI runs this file on SQLite and on PostgreSQL."""

import datetime
import io
import json

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releases.models import Agency, Programme, Release, TaggedAgency
from releases.search import search_releases
from releases.search.batches import indexed_at_end


def titles(client, query, **params):
    response = client.get("/api/releases/", {"q": query, **params})
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


def page(client, **params):
    response = client.get("/search/", params)
    return response, response.content.decode()


@pytest.fixture
def archive(make_release, imda, mci, smart_city, tradetrust):
    tusstar = Agency.objects.create(name="TusStar", slug="tusstar")
    return {
        "mou": make_release(
            title="Singapore and Shenzhen sign MoU on digital trade",
            published_on=datetime.date(2022, 12, 2),
            summary="Eight agreements were signed at the smart city committee meeting.",
            body="The Memorandum of Understanding covers electronic bills of lading.",
            agencies=[imda, mci, tusstar], programmes=[smart_city], figures=["8 MoUs signed"],
        ),
        "trade": make_release(
            title="TradeTrust pilot extended to live shipments",
            published_on=datetime.date(2021, 5, 1),
            summary="Banks and shippers join the pilot.",
            body="Signing of the MoU with port operators follows in the new year.",
            agencies=[imda], programmes=[tradetrust], kind=Release.Kind.FACTSHEET,
        ),
        "speech": make_release(
            title="Minister's speech at the Café Digital forum",
            published_on=datetime.date(2019, 3, 1),
            summary="Remarks on city partnerships in Shenzhen.",
            body="A city that is smart invests in people first.",
            agencies=[mci], kind=Release.Kind.SPEECH,
        ),
    }  # fmt: skip


# --- Syntax -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shenzhen", {"mou", "speech"}),
        ("shenzhen trade", {"mou"}),
        ('"smart city"', {"mou"}),
        ('"city smart"', set()),
        ("tradetrust OR tusstar", {"trade", "mou"}),
        ("MoU -TusStar", {"trade"}),
        ('shenzhen -"smart city"', {"speech"}),
        ("signed", {"trade", "mou"}),
        ("SHIPMENT", {"trade"}),
        ("cafe", {"speech"}),
        ("CAFÉ DIGITAL", {"speech"}),
    ],
)
def test_query_syntax(client, archive, query, expected):
    assert set(titles(client, query)) == {archive[key].title for key in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("IMDA", {"mou", "trade"}),
        ("Infocomm Media", {"mou", "trade"}),
        ("TradeTrust", {"trade"}),
        ('"Smart City Initiative"', {"mou"}),
        ("8 MoUs", {"mou"}),
        ("tusstar", {"mou"}),
    ],
)
def test_tag_names_acronyms_and_figures_are_searchable(client, archive, query, expected):
    assert set(titles(client, query)) == {archive[key].title for key in expected}


def test_only_published_releases_are_found(client, make_release, tomorrow):
    make_release(title="Public kestrel report")
    make_release(title="Draft kestrel report", status=Release.Status.DRAFT)
    make_release(title="Embargoed kestrel report", published_on=tomorrow)
    assert titles(client, "kestrel") == ["Public kestrel report"]


# --- Ranking ------------------------------------------------------------------------


def test_title_beats_summary_beats_body_then_newest_first(client, make_release):
    day = datetime.date(2020, 1, 1)
    make_release(title="Body only", body="About the harbour.", published_on=day.replace(year=2024))
    make_release(title="Older title match: harbour", published_on=day.replace(year=2010))
    make_release(title="Summary match", summary="The harbour.", published_on=day.replace(year=2023))
    make_release(title="Newer title match: harbour", published_on=day.replace(year=2011))
    make_release(
        title="Tagged", programmes=["Harbour Renewal"], published_on=day.replace(year=2022)
    )
    assert titles(client, "harbour") == [
        "Newer title match: harbour",
        "Older title match: harbour",
        "Summary match",
        "Tagged",
        "Body only",
    ]
    by_date = ["Body only", "Summary match", "Tagged", "Newer title match: harbour"]
    assert titles(client, "harbour", sort="newest")[:4] == by_date
    assert titles(client, "harbour", sort="oldest")[-4:] == by_date[::-1]


def test_an_excluded_word_anywhere_drops_a_title_match(make_release):
    make_release(title="Harbour plan", body="A quiet week.", published_on=datetime.date(2021, 1, 1))
    make_release(title="Harbour note", body="Busy.", published_on=datetime.date(2020, 1, 1))
    make_release(title="Other", body="The harbour works.", published_on=datetime.date(2022, 1, 1))
    # Sliced without a count first: the engines rank by walking each tier.
    assert [r.title for r in search_releases(query="harbour -quiet")[0:20]] == [
        "Harbour note",
        "Other",
    ]
    assert [r.title for r in search_releases(query="harbour")[0:20]] == [
        "Harbour plan",
        "Harbour note",
        "Other",
    ]


def test_ranking_holds_across_pages(client, make_release):
    for n in range(25):
        make_release(title=f"Body match {n}", body="ferry", published_on=datetime.date(2020, 1, 1))
    make_release(title="Ferry in the title", published_on=datetime.date(2001, 1, 1))
    first = titles(client, "ferry")
    second = titles(client, "ferry", page=2)
    assert first[0] == "Ferry in the title"
    assert len(first) == 20 and len(second) == 6
    assert not set(first) & set(second)


# --- Results page, snippets and escaping --------------------------------------------


def test_search_page_shows_count_snippets_and_facets(client, archive):
    response, text = page(client, q="shenzhen")
    assert response.status_code == 200
    assert "2 releases match" in text
    assert "Remarks on city partnerships in <mark>Shenzhen</mark>." in text
    assert 'href="?q=shenzhen&amp;agency=mci"' in text
    assert 'Ministry of Communications and Information</a> <span class="count">2</span>' in text


def test_snippets_escape_release_text(client, make_release):
    make_release(
        title="Escaping",
        summary='<script>alert("x")</script> & the <b>otter</b> report',
        body="**Bold otter** and a [link](https://example.org/otter) <i>inline</i>.",
    )
    _, text = page(client, q="otter")
    assert "<script>" not in text and "<b>otter" not in text
    assert "&lt;script&gt;" in text
    snippet = json.loads(client.get("/api/releases/", {"q": "otter"}).content)["results"][0]
    assert snippet["snippet"] == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the &lt;b&gt;<mark>otter</mark>"
        "&lt;/b&gt; report"
    )


def test_body_snippet_is_plain_text(client, make_release):
    make_release(summary="Nothing here.", body="## Heading\n\n**Bold** [walrus](https://x.org) ok.")
    result = client.get("/api/releases/", {"q": "walrus"}).json()["results"][0]
    assert "<mark>walrus</mark>" in result["snippet"]
    assert "**" not in result["snippet"] and "https" not in result["snippet"]


def test_body_snippet_keeps_blocks_apart(client, make_release):
    # List items and headings end without a full stop; run together they would read
    # as one sentence.
    make_release(
        summary="Nothing here.",
        body="## Programme\n\n1. Pitches by startups in walrus logistics\n2. Meetings with"
        " investors\n\nThe session is\nopen to media.",
    )
    snippet = client.get("/api/releases/", {"q": "walrus"}).json()["results"][0]["snippet"]
    assert "Programme · Pitches by startups in <mark>walrus</mark> logistics · Meetings" in snippet
    assert "investors · The session is open to media" in snippet


def test_pagination_keeps_query_and_filters(client, make_release, imda):
    for n in range(22):
        make_release(title=f"Lighthouse {n}", agencies=[imda])
    _, text = page(client, q="lighthouse", agency="imda")
    assert 'href="?q=lighthouse&amp;agency=imda&amp;page=2"' in text


def test_empty_query_shows_form_and_browse_links(client, archive):
    response, text = page(client)
    assert response.status_code == 200
    assert 'name="q"' in text and "Or browse" in text
    assert 'href="/agencies/imda/"' in text


@pytest.mark.parametrize(
    ("query", "message"),
    [("-", "no words to look for"), ("the OR a", "no words to look for"), ("-trade", "no words")],
)
def test_queries_without_words_get_a_message(client, archive, query, message):
    response, text = page(client, q=query)
    assert response.status_code == 200
    assert message in text


def test_header_and_home_have_search_boxes(client, db):
    text = client.get("/").content.decode()
    assert text.count(f'action="{reverse("releases:search")}"') == 2


# --- Facets and filters -------------------------------------------------------------


def test_facets_count_every_match_not_just_the_page(client, make_release, imda, mci):
    for n in range(30):
        make_release(
            title=f"Harbour report {n}",
            agencies=[imda] if n % 3 else [imda, mci],
            kind=Release.Kind.SPEECH if n < 5 else Release.Kind.PRESS_RELEASE,
            published_on=datetime.date(2020 + n % 2, 6, 1),
        )
    data = client.get("/api/releases/", {"q": "harbour"}).json()
    assert data["count"] == 30 and len(data["results"]) == 20
    facets = data["facets"]
    assert facets["agency"] == [
        {"slug": "imda", "name": "Infocomm Media Development Authority", "count": 30},
        {"slug": "mci", "name": "Ministry of Communications and Information", "count": 10},
    ]
    assert facets["kind"] == [
        {"slug": "press-release", "name": "Press release", "count": 25},
        {"slug": "speech", "name": "Speech", "count": 5},
    ]
    assert facets["year"] == [
        {"slug": 2021, "name": "2021", "count": 15},
        {"slug": 2020, "name": "2020", "count": 15},
    ]
    assert facets["programme"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agency": "imda"}, {"mou", "trade"}),
        ({"agency": ["imda", "mci"]}, {"mou"}),
        ({"programme": "tradetrust"}, {"trade"}),
        ({"figure": "8-mous-signed"}, {"mou"}),
        ({"kind": "factsheet"}, {"trade"}),
        ({"year": "2022"}, {"mou"}),
        ({"from": "2021-01-01", "to": "2021-12-31"}, {"trade"}),
        ({"to": "2020-01-01"}, {"speech"}),
        ({"to": "2019-01-01"}, set()),
    ],
)
def test_every_filter_combines_with_q(client, archive, params, expected):
    assert set(titles(client, "mou OR minister", **params)) == {
        archive[key].title for key in expected
    }


def test_q_works_on_every_listing(client, archive):
    assert "TradeTrust pilot" in client.get("/releases/?q=tradetrust").content.decode()
    tag_page = client.get("/agencies/mci/?q=shenzhen").content.decode()
    assert "Minister" in tag_page and "TradeTrust pilot" not in tag_page
    assert "Minister" not in client.get("/agencies/imda/?q=minister").content.decode()


def test_search_agrees_with_the_listing_filters(archive, make_release, tomorrow):
    make_release(title="Future", body="mou", published_on=tomorrow)
    make_release(title="Draft", body="mou", status=Release.Status.DRAFT)
    for filters in (
        {},
        {"kind": "factsheet"},
        {"year": 2022},
        {"agencies": [Agency.objects.get(slug="imda")]},
        {"date_from": datetime.date(2021, 5, 1), "date_to": datetime.date(2022, 12, 2)},
    ):
        results = search_releases(query="mou", filters=filters)
        listed = Release.objects.published().filter_by(**filters)
        expected = set(
            listed.filter(Q(title__icontains="mou") | Q(body__icontains="mou")).values_list(
                "pk", flat=True
            )
        )
        assert {r.pk for r in results} == expected
        assert results.count() == len(expected)


# --- Did you mean -------------------------------------------------------------------


@pytest.mark.parametrize(("typo", "fixed"), [("shenzen", "shenzhen"), ("memorandom", "memorandum")])
def test_did_you_mean(client, archive, typo, fixed):
    _, text = page(client, q=typo)
    assert "No published releases match" in text
    assert f'Did you mean <a href="?q={fixed}">{fixed}</a>?' in text
    assert client.get("/api/releases/", {"q": typo}).json()["suggestion"] == fixed


def test_suggestions_never_come_from_drafts(client, make_release):
    make_release(title="Secret walrus plan", status=Release.Status.DRAFT)
    data = client.get("/api/releases/", {"q": "walrsu"}).json()
    assert data["count"] == 0 and "suggestion" not in data


def suggested(client, query, **params):
    return client.get("/api/releases/", {"q": query, **params}).json().get("suggestion")


def clock_at(monkeypatch, day):
    """Make `day` today for the archive, as midnight would."""
    localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: localdate(value, tz) if value else day
    )


def unpublished(state, tomorrow) -> dict:
    return {"status": Release.Status.DRAFT} if state == "draft" else {"published_on": tomorrow}


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_correction_is_never_a_word_only_unpublished_releases_hold(
    client, make_release, tomorrow, state
):
    make_release(title="Shenzhen partnership")
    make_release(body="The flibbertigibbet plan.", **unpublished(state, tomorrow))
    # The corrected query finds a published release, by its other word: still no leak.
    assert suggested(client, "shenzen OR flibbertigibet") == "shenzhen OR flibbertigibet"
    assert suggested(client, "flibbertigibet") is None


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_word_only_unpublished_releases_hold_does_not_stop_a_correction(
    client, make_release, tomorrow, state
):
    make_release(title="Heron count")
    make_release(title="Heronn misprint", **unpublished(state, tomorrow))
    assert suggested(client, "heronn") == "heron"


def test_a_scheduled_releases_words_are_offered_once_it_is_due(
    client, make_release, tomorrow, monkeypatch
):
    make_release(title="Heron count")
    make_release(title="Frumious plans", published_on=tomorrow)
    assert suggested(client, "frumiuos") is None
    clock_at(monkeypatch, tomorrow)
    assert suggested(client, "frumiuos") == "frumious"


def test_facets_name_only_tags_of_public_matches(client, make_release, imda, tomorrow):
    make_release(title="Heron count", agencies=[imda])
    make_release(title="Heron draft", agencies=[imda, "Secret Agency"], status="draft")
    make_release(title="Heron later", programmes=["Secret Programme"], published_on=tomorrow)
    data = client.get("/api/releases/", {"q": "heron"}).json()
    assert data["facets"]["agency"] == [{"slug": "imda", "name": imda.name, "count": 1}]
    assert data["facets"]["programme"] == []
    _, text = page(client, q="heron")
    assert "Secret" not in text and "draft" not in text and "later" not in text


# --- Bad input ----------------------------------------------------------------------

NASTY = [
    '"unclosed', "-", "(", ")", "AND", "OR", "NOT", "*", ":", "^", "NEAR(a b)", "a:b", "title:x",
    "'", "''", '"', '""', "\\", "%", "_", "{title}: x", "a & b | !c", "x <-> y", "1.5", "-1",
    "🙂", "🙂 🙂", "深圳 数字经济", "Ünïcödé", "\x01\x02 tab\tchar", "a" * 500, "a " * 249,
    "\u200b", "\ufeff", "\U0001f600smart", "ｆｕｌｌｗｉｄｔｈ", "--smart", "-\"smart city\"",
]  # fmt: skip


@pytest.mark.parametrize("query", NASTY)
def test_odd_queries_never_fail(client, archive, query):
    for url in ("/search/", "/api/releases/", "/releases/"):
        assert client.get(url, {"q": query}).status_code == 200


@pytest.mark.parametrize("query", ["\x00", "a\x00b", "x" * 100_000])
def test_null_bytes_and_huge_queries_are_refused_politely(client, archive, query):
    response, text = page(client, q=query)
    assert response.status_code == 400
    assert "This search could not be run" in text
    api = client.get("/api/releases/", {"q": query})
    assert api.status_code == 400 and api.json()["error"] == "Invalid filter."


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_any_text_searches_without_raising(archive, text):
    results = search_releases(query=text)
    assert results.count() >= 0
    assert len(results[0:5]) <= 5
    results.suggestion  # noqa: B018 - evaluating it must not raise either


# --- The index stays exact ----------------------------------------------------------


def found(query):
    return {r.title for r in search_releases(query=query)}


def test_index_follows_admin_saves(admin_client, release):
    url = reverse("admin:releases_release_change", args=[release.pk])
    data = {
        "title": "Renamed to pelican",
        "slug": release.slug,
        "kind": release.kind,
        "summary": release.summary,
        "body": release.body,
        "agencies": "IMDA",
        "programmes": "",
        "figures": "",
        "status": "published",
        "published_on": "2022-12-02",
        "language": "en",
        "version": release.version,
        "change_kind": "correction",  # readers will see it: a new version
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("pelican") == {"Renamed to pelican"}
    assert found("eight") == {"Renamed to pelican"}  # the summary is still indexed
    assert found("shenzhen") == set()


def test_index_follows_tag_changes_and_renames(make_release, imda):
    release = make_release(title="Tag test")
    release.agencies.add(imda)
    release.programmes.add(Programme.objects.create(name="Osprey Scheme", slug="osprey"))
    assert found("IMDA osprey") == {"Tag test"}
    imda.acronym = "IMDASG"
    imda.save()
    assert found("IMDASG") == {"Tag test"} and found("IMDA") == set()
    release.agencies.remove(imda)
    assert found("IMDASG") == set()
    Programme.objects.filter(slug="osprey").update(name="Heron Scheme")
    assert found("heron") == {"Tag test"}


def test_index_follows_links_moved_by_update(make_release, imda, mci):
    first, second = make_release(title="First"), make_release(title="Second")
    first.agencies.add(imda)
    links = TaggedAgency.objects.filter(content_object=first)
    links.update(content_object=second)
    assert found("IMDA") == {"Second"}
    links = TaggedAgency.objects.filter(content_object=second)
    links.update(tag=mci)
    assert found("IMDA") == set() and found("MCI") == {"Second"}
    # A date change reaches the links without changing what either release is found by.
    Release.objects.filter(pk=second.pk).update(published_on=datetime.date(2019, 5, 5))
    assert found("MCI") == {"Second"} and links.get().published_on == datetime.date(2019, 5, 5)


def test_an_agency_and_a_programme_with_the_same_id_stay_apart(make_release):
    # Tag ids come from separate tables, so an agency and a programme can share one.
    agency = Agency.objects.create(id=9001, name="Osprey Agency", slug="osprey-agency")
    programme = Programme.objects.create(id=9001, name="Osprey Scheme", slug="osprey-scheme")
    make_release(title="Osprey by the agency", agencies=[agency])
    make_release(title="Osprey in the scheme", programmes=[programme])
    results = search_releases(query="osprey")
    assert [(v.slug, v.count) for v in results.facets["agency"]] == [("osprey-agency", 1)]
    assert [(v.slug, v.count) for v in results.facets["programme"]] == [("osprey-scheme", 1)]
    by_agency = search_releases(query="osprey", filters={"agencies": [agency]})
    assert [r.title for r in by_agency] == ["Osprey by the agency"]


def test_agency_and_programme_filters_follow_tag_changes(make_release, imda, mci, smart_city):
    def filtered(**filters):
        return {r.title for r in search_releases(query="osprey", filters=filters)}

    first, second = make_release(title="Osprey one"), make_release(title="Osprey two")
    first.agencies.add(imda)
    first.programmes.add(smart_city)
    assert filtered(agencies=[imda]) == {"Osprey one"}
    assert filtered(agencies=[imda], programmes=[smart_city]) == {"Osprey one"}
    TaggedAgency.objects.filter(content_object=first).update(content_object=second)
    assert filtered(agencies=[imda]) == {"Osprey two"}
    assert filtered(agencies=[imda], programmes=[smart_city]) == set()
    second.agencies.add(mci)
    assert filtered(agencies=[imda, mci]) == {"Osprey two"}
    second.agencies.remove(imda)
    assert filtered(agencies=[imda]) == set() and filtered(agencies=[mci]) == {"Osprey two"}


def test_index_follows_update_delete_and_bulk_create(make_release):
    release = make_release(title="Kingfisher")
    Release.objects.filter(pk=release.pk).update(title="Cormorant", summary="")
    assert found("kingfisher") == set() and found("cormorant") == {"Cormorant"}
    Release.objects.filter(pk=release.pk).update(status=Release.Status.DRAFT)
    assert found("cormorant") == set()
    Release.objects.bulk_create(
        [
            Release(title=f"Puffin {n}", slug=f"puffin-{n}", body="x", status="published",
                    published_on=datetime.date(2020, 1, n + 1))
            for n in range(3)
        ]
    )  # fmt: skip
    assert found("puffin") == {"Puffin 0", "Puffin 1", "Puffin 2"}
    Release.objects.filter(title__startswith="Puffin").delete()
    assert found("puffin") == set()


def test_index_follows_loaddata(db, tmp_path):
    fixture = tmp_path / "gannet.json"
    fixture.write_text(
        json.dumps(
            [
                {"model": "releases.agency",
                 "fields": {"name": "Gannet Board", "slug": "gannet", "acronym": "GB"}},
                {"model": "releases.release", "fields": {
                    "title": "Loaded", "slug": "loaded", "published_on": "2020-02-02",
                    "body": "About gannets.", "status": "published", "summary": "",
                    "created_at": "2020-02-02T09:00:00Z", "updated_at": "2020-02-02T09:00:00Z"}},
                {"model": "releases.taggedagency",
                 "fields": {"content_object": ["loaded"], "tag": ["gannet"]}},
            ]
        )
    )  # fmt: skip
    call_command("loaddata", str(fixture), verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)
    assert found("gannet") == {"Loaded"} and found("GB") == {"Loaded"}
    assert search_releases(query="gannet").count() == 1


def what_readers_see(queries=("osprey", "kestrel", "shearwater", "nest", "imda", "mci")):
    """Each query's ranked titles and facets: what a rebuild must not change."""
    seen = {}
    for query in queries:
        results = search_releases(query=query)
        seen[query] = ([r.title for r in results[0:50]], results.count(), results.facets)
    return seen


def test_a_batch_indexes_its_writes_once_when_it_ends(make_release, imda, mci, smart_city):
    kept = make_release(title="Osprey nest", agencies=[imda])
    gone = make_release(title="Osprey chick", agencies=[imda])
    with indexed_at_end():
        with indexed_at_end():  # joins the outer batch
            make_release(title="Shearwater colony", agencies=[mci], programmes=[smart_city])
        assert found("shearwater") == set()
        Release.objects.filter(pk=kept.pk).update(title="Kestrel nest")
        kept.agencies.add(mci)
        kept.agencies.remove(imda)
        gone.delete()
        # Held back: the new release is not in the index until the batch ends.
        assert found("shearwater") == set()
    assert found("shearwater") == {"Shearwater colony"}
    assert found("kestrel") == {"Kestrel nest"} and found("osprey") == set()
    assert found("imda") == set() and found("mci") == {"Kestrel nest", "Shearwater colony"}
    seen = what_readers_see()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert what_readers_see() == seen
    # Outside a batch, writes are indexed at once again.
    make_release(title="Osprey returns")
    assert found("osprey") == {"Osprey returns"}


def test_a_batch_that_fails_leaves_the_index_as_it_was(make_release, imda):
    make_release(title="Plover", agencies=[imda])
    with pytest.raises(RuntimeError), indexed_at_end():
        make_release(title="Dunlin", agencies=[imda])
        Release.objects.filter(title="Plover").update(title="Sanderling")
        raise RuntimeError("the import found a bad record")
    assert found("plover") == {"Plover"} and found("dunlin") == set()
    assert found("sanderling") == set() and search_releases(query="imda").count() == 1


def test_rebuild_search_index_repairs_and_reports(make_release, capsys):
    make_release(title="Albatross")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM releases_searchdocument")
    call_command("rebuild_search_index")
    assert "Indexed 1 release" in capsys.readouterr().out
    assert found("albatross") == {"Albatross"}


# --- Cost ---------------------------------------------------------------------------


@pytest.mark.parametrize("matches", [3, 30])
def test_query_count_does_not_grow_with_matches(
    client, make_release, imda, matches, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_ENABLED = False
    for n in range(matches):
        make_release(title=f"Heron {n}", agencies=[imda], programmes=["Wetlands"])
    client.get("/search/", {"q": "egret"})  # warm Django's content-type cache
    # The data version (caching headers), facets and count, page ids, excerpts, releases,
    # their agencies (+1: the filter); the API, all three tag kinds at once. Counting
    # plain words starts with their release counts (to count the matches or those
    # lacking them); PostgreSQL adds a savepoint pair and a SET LOCAL around the count.
    facets = 5 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(6 + facets):
        assert client.get("/search/", {"q": "heron", "agency": "imda"}).status_code == 200
    with django_assert_num_queries(5 + facets):
        assert client.get("/api/releases/", {"q": "heron"}).status_code == 200
    # No results: the data version, facets and count, the vocabulary, how many releases
    # not yet due hold its words near the query's, and a check that the suggestion finds some.
    with django_assert_num_queries(4 + facets):
        assert client.get("/search/", {"q": "heronn"}).status_code == 200


def test_count_and_facets_are_remembered_until_the_data_changes(
    client, make_release, imda, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_ENABLED = False
    make_release(title="Heron count", agencies=[imda])
    first = client.get("/api/releases/", {"q": "heron"}).json()
    # Another sort and the HTML page reuse the count and facets: no facet query.
    with django_assert_num_queries(5):
        newest = client.get("/api/releases/", {"q": "heron", "sort": "newest"}).json()
    assert newest["count"] == first["count"] == 1
    assert newest["facets"] == first["facets"]
    # The page, sorted as the first request was, also reuses its ids: no search at all.
    with django_assert_num_queries(4):
        assert "1 release matches" in client.get("/search/", {"q": "heron"}).content.decode()
    make_release(title="Heron again", agencies=[imda])
    after = client.get("/api/releases/", {"q": "heron"}).json()
    assert after["count"] == 2
    assert after["facets"]["agency"] == [{"slug": "imda", "name": imda.name, "count": 2}]


def test_paging_through_a_search_reads_the_remembered_matches(
    client, make_release, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_ENABLED = False
    for day in range(1, 26):
        make_release(title=f"Heron {day}", published_on=datetime.date(2020, 1, day))

    def titles(page, **params):
        data = client.get("/api/releases/", {"q": "heron", "page": page, **params}).json()
        return [result["title"] for result in data["results"]]

    first = titles(1, sort="newest")
    assert first == [f"Heron {day}" for day in range(25, 5, -1)]
    # The data version, the excerpts, the releases and their tags: no facet query and no
    # search for the page.
    with django_assert_num_queries(4):
        assert titles(2, sort="newest") == [f"Heron {day}" for day in range(5, 0, -1)]
    # Another order is its own search; a new release makes every remembered list stale.
    assert titles(2, sort="oldest") == [f"Heron {day}" for day in range(21, 26)]
    make_release(title="Heron 26", published_on=datetime.date(2020, 1, 26))
    assert titles(1, sort="newest")[0] == "Heron 26"
    assert titles(2, sort="newest")[0] == "Heron 6"


def test_vocabulary_for_did_you_mean_is_remembered_until_the_data_changes(
    client, make_release, django_assert_num_queries, settings
):
    settings.PAGE_CACHE_ENABLED = False
    make_release(title="Heron count")
    assert client.get("/api/releases/", {"q": "heronn"}).json()["suggestion"] == "heron"
    # Again: the data version, then the suggestion's check that it finds something; the
    # count, facets and words starting with "h" are remembered.
    with django_assert_num_queries(2):
        assert client.get("/api/releases/", {"q": "heronn"}).json()["suggestion"] == "heron"
    make_release(title="Heronry restored")
    assert client.get("/api/releases/", {"q": "heronry"}).json()["count"] == 1
    assert client.get("/api/releases/", {"q": "heronyr"}).json()["suggestion"] == "heronry"


def test_generate_releases_makes_searchable_releases(db, capsys):
    call_command("generate_releases", count=40, seed=7)
    assert "Created 40 releases" in capsys.readouterr().out
    assert Release.objects.count() == 40
    assert search_releases(query="digital").count() > 0
    assert Release.objects.filter(agencies__isnull=False).distinct().count() == 40


def test_the_fixtures_answer_the_issue_examples(client, db):
    fixtures = sorted(str(p) for p in (django_settings.BASE_DIR / "fixtures").glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    assert "TradeTrust framework introduced to make digital trade documents interoperable" in (
        titles(client, "TradeTrust")
    )
    assert len(titles(client, '"smart city"')) >= 5
    mou = titles(client, "MoU -TusStar")
    assert mou and "Singapore, China Ink MoU, Partner on Digital Economy Initiatives" not in mou
    assert client.get("/api/releases/", {"q": "shenzen"}).json()["suggestion"] == "shenzhen"


def test_a_phrase_does_not_run_from_one_field_into_the_next(make_release, imda):
    make_release(
        title="Talks close on digital",
        summary="Singapore signs the charter.",
        body="Infocomm Media Development Authority welcomed it.",
        agencies=[imda],
    )
    assert search_releases(query='"singapore signs"').count() == 1
    assert search_releases(query='"closes on digital"').count() == 1
    # End of the title + start of the summary; the agency's acronym (a tag) + the body.
    assert search_releases(query='"digital singapore"').count() == 0
    assert search_releases(query='"imda infocomm"').count() == 0
    assert search_releases(query="digital singapore").count() == 1


def test_a_phrase_matches_its_small_words_exactly(make_release):
    make_release(title="Minister for Trade visits the port", summary="Singapore's smart plan.")
    assert search_releases(query='"minister of trade"').count() == 0
    assert search_releases(query='"minister for trade"').count() == 1
    assert search_releases(query='"visits a port"').count() == 0
    assert search_releases(query='"the smart"').count() == 0
    assert search_releases(query='"singapore\'s smart"').count() == 1
    assert search_releases(query='"singapore smart"').count() == 0


def test_a_hyphenated_word_matches_its_parts_either_way(make_release):
    make_release(title="A five-year plan for co-chairs")
    make_release(title="A five year plan")
    assert search_releases(query="five-year").count() == 2
    assert search_releases(query='"five year plan"').count() == 2
    assert search_releases(query='"co chairs"').count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_phrases_are_answered_by_the_index_of_word_positions(make_release):
    from releases.search import postgres
    from releases.search.query import parse

    make_release(title="Digital Singapore plan")
    make_release(title="Singapore goes digital")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.amname, EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum')"
            " FROM pg_class i JOIN pg_am a ON a.oid = i.relam"
            " WHERE i.relname = 'releases_searchdocument_positions'"
        )
        method, rum_available = cursor.fetchone()
        assert method == ("rum" if rum_available else "gin")

        def plan(text):
            query = parse(text)
            q_sql, params = postgres.tsquery(query)
            where = f"{postgres.vector(query)} @@ ({q_sql})"
            with transaction.atomic():
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(
                    f"EXPLAIN SELECT count(*) FROM releases_searchdocument d WHERE {where}", params
                )
                return " ".join(row[0] for row in cursor.fetchall())

        assert "releases_searchdocument_positions" in plan('"digital singapore"')
        assert "releases_searchdocument_positions" in plan("covid-19 digital")
        assert "releases_searchdocument_vector" in plan("digital singapore")
    assert search_releases(query='"digital singapore"').count() == 1
    assert search_releases(query='"singapore goes" -"digital singapore"').count() == 1


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite drops triggers when a table is rebuilt"
)
def test_search_triggers_come_back_after_a_table_rebuild(make_release):
    from releases import dbobjects

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER releases_search_release_insert")
        cursor.execute("DROP TRIGGER releases_search_release_insert_later")
    dbobjects.install_all(using="default")
    make_release(title="Kingfisher sighting")
    with indexed_at_end():
        make_release(title="Kingfisher nest")
    assert found("kingfisher") == {"Kingfisher sighting", "Kingfisher nest"}


def test_agency_former_names_are_searchable(make_release):
    from releases.models import Agency, AgencyAlias

    ministry = Agency.objects.create(name="Ministry of Digital Development", slug="mddi")
    make_release(title="Broadband for every home", agencies=[ministry])
    assert search_releases(query="Communications").count() == 0

    alias = AgencyAlias.objects.create(
        agency=ministry, name="Ministry of Communications and Information", acronym="MCI"
    )
    assert [r.title for r in search_releases(query="Communications")] == [
        "Broadband for every home"
    ]
    assert search_releases(query="MCI").count() == 1

    alias.delete()
    assert search_releases(query="Communications").count() == 0
