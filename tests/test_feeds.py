"""The Atom feed of any listing: valid XML, the listing's filters, its entries."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from releases import feeds
from releases.models import Agency, Release

from .editing import edit

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return root.findall(f"{ATOM}entry")


def test_feed_is_valid_atom_with_required_elements(client, release):
    root = parse(client.get("/feeds/releases.atom"))
    for element in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{element}").text
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/feeds/releases.atom"
    assert links["alternate"] == "http://testserver/releases/"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Press Release Archive"

    [entry] = entries(root)
    assert entry.find(f"{ATOM}title").text == "Singapore and Shenzhen sign eight MoUs"
    assert entry.find(f"{ATOM}link").get("href") == (
        "http://testserver/releases/singapore-shenzhen-mous/"
    )
    assert entry.find(f"{ATOM}id").text.startswith("tag:testserver,")
    assert entry.find(f"{ATOM}published").text == "2022-12-02T00:00:00+08:00"
    assert entry.find(f"{ATOM}updated").text
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "Eight memoranda signed at the third committee meeting."
    assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == [
        "Infocomm Media Development Authority"
    ]
    categories = {(c.get("term"), c.get("label")) for c in entry.findall(f"{ATOM}category")}
    assert categories == {
        ("imda", "Infocomm Media Development Authority"),
        ("smart-city-initiative", "Singapore-China (Shenzhen) Smart City Initiative"),
        ("8-mous-signed", "8 MoUs signed"),
    }


def test_feed_takes_the_listing_filters(client, make_release, imda, mci):
    make_release(title="From IMDA", agencies=[imda], published_on=datetime.date(2021, 3, 1))
    make_release(title="From MCI", agencies=[mci], published_on=datetime.date(2021, 4, 1))
    make_release(title="Old IMDA", agencies=[imda], published_on=datetime.date(2015, 1, 1))

    root = parse(client.get("/feeds/releases.atom?agency=imda&year=2021"))
    assert [e.findtext(f"{ATOM}title") for e in entries(root)] == ["From IMDA"]
    assert root.findtext(f"{ATOM}title").startswith(
        "Releases: Infocomm Media Development Authority, 2021"
    )
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://testserver/feeds/releases.atom?agency=imda&year=2021"


def test_feed_is_newest_first_whatever_the_sort(client, make_release):
    make_release(title="Aardvark", published_on=datetime.date(2020, 1, 1))
    make_release(title="Zebra", published_on=datetime.date(2023, 1, 1))
    root = parse(client.get("/feeds/releases.atom?sort=title"))
    assert [e.findtext(f"{ATOM}title") for e in entries(root)] == ["Zebra", "Aardvark"]


def test_feed_leaves_out_drafts_and_scheduled_releases(client, make_release, tomorrow):
    make_release(title="Public")
    make_release(title="Draft", status=Release.Status.DRAFT)
    make_release(title="Scheduled", published_on=tomorrow)
    root = parse(client.get("/feeds/releases.atom"))
    assert [e.findtext(f"{ATOM}title") for e in entries(root)] == ["Public"]


def test_feed_is_capped_and_bounded_in_queries(
    client, make_release, imda, smart_city, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 3)
    for _ in range(5):
        make_release(agencies=[imda], programmes=[smart_city], figures=["8 MoUs signed"])
    # The data version (caching headers), the releases, then one query per tag kind,
    # whatever the number of entries.
    with django_assert_max_num_queries(5):
        root = parse(client.get("/feeds/releases.atom"))
    assert len(entries(root)) == 3


def test_markup_in_text_is_escaped_not_interpreted(client, make_release):
    make_release(title="Tom & Jerry <script>", summary="Less < more & <b>bold</b>")
    root = parse(client.get("/feeds/releases.atom"))
    [entry] = entries(root)
    assert entry.findtext(f"{ATOM}title") == "Tom & Jerry <script>"
    # Typed html: the XML text is HTML, so the summary's own "<" arrives escaped once more.
    assert entry.findtext(f"{ATOM}summary") == "Less &lt; more &amp; &lt;b&gt;bold&lt;/b&gt;"


def test_entry_id_survives_a_slug_change(client, release):
    before = entries(parse(client.get("/feeds/releases.atom")))[0].findtext(f"{ATOM}id")
    release.slug = "a-new-address"
    release.save()
    after = entries(parse(client.get("/feeds/releases.atom")))[0].findtext(f"{ATOM}id")
    assert after == before


def test_empty_feed_is_still_valid(client, db):
    root = parse(client.get("/feeds/releases.atom"))
    assert entries(root) == []
    assert root.findtext(f"{ATOM}updated")


@pytest.mark.parametrize(
    "query", ["agency=nobody", "from=yesterday", "year=99999", "kind=poem", "from=2020-01-01%00"]
)
def test_bad_filters_get_400_with_a_message(client, db, query):
    response = client.get(f"/feeds/releases.atom?{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith("Invalid filter:")


def test_list_and_tag_pages_advertise_their_own_feed(client, release):
    text = client.get("/releases/?kind=press-release&page=1").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Atom feed of this list" '
        'href="/feeds/releases.atom?kind=press-release">' in text
    )
    assert 'href="/feeds/releases.atom?kind=press-release" type="application/atom+xml"' in text

    tag_page = client.get("/agencies/imda/?year=2022").content.decode()
    assert 'href="/feeds/releases.atom?year=2022&amp;agency=imda"' in tag_page
    assert "Follow this list (Atom feed)" in tag_page


def test_tag_page_feed_lists_that_tags_releases(client, make_release, imda, mci):
    make_release(title="IMDA one", agencies=[imda])
    make_release(title="MCI one", agencies=[mci])
    root = parse(client.get("/feeds/releases.atom?agency=imda"))
    assert [e.findtext(f"{ATOM}title") for e in entries(root)] == ["IMDA one"]


def test_every_page_links_the_feed_of_all_releases(client, release):
    text = client.get(release.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml" title="All releases" href="/feeds/releases.atom"' in text


def test_feed_is_sent_as_one_piece(client, release):
    # The server writes each piece the response yields; written fragment by fragment,
    # a feed went out in thousands of tiny writes (~20 ms of a 25 ms response).
    response = client.get("/feeds/releases.atom")
    assert len(list(response)) == 1


def test_feed_of_a_search_lists_the_newest_matches(client, make_release, imda):
    make_release(title="Heron count", published_on=datetime.date(2020, 1, 1), agencies=[imda])
    make_release(title="Heron census", published_on=datetime.date(2023, 1, 1))
    make_release(title="Egret count")
    response = client.get("/feeds/releases.atom", {"q": "heron"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Heron census", "Heron count"]


def test_control_characters_in_a_search_do_not_break_the_feed(client, make_release):
    make_release(title="Heron count")
    response = client.get("/feeds/releases.atom", {"q": "heron\x1b\x7fcount\x0b"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.findtext(f"{ATOM}title").startswith("Releases: “heron count”")
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["Heron count"]


def test_control_characters_in_stored_text_do_not_break_the_feed(client, make_release):
    # Rows written around the forms (update(), loaddata, SQL) may still hold them.
    release = make_release(title="Heron count")
    Release.objects.filter(pk=release.pk).update(title="Heron\x0bcount\x1b", summary="A\x0cB")
    Agency.objects.create(name="Osprey\x1b Agency", slug="osprey").items.create(
        content_object=release
    )
    response = client.get("/feeds/releases.atom")
    assert response.status_code == 200
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Heron\ncount"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Osprey Agency"


# --- Withdrawn releases ------------------------------------------------------------------


def withdraw(release, reason="issued in error", on=None):
    from django.utils import timezone

    from releases import withdrawal

    withdrawal.withdraw({release.pk: release.version}, reason)
    if on:
        moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))
        Release.objects.filter(pk=release.pk).update(withdrawn_at=moment)


def titles_in(response):
    return [entry.findtext(f"{ATOM}title") for entry in entries(parse(response))]


def test_withdrawal_is_an_update_of_the_original_entry(client, release):
    [before] = entries(parse(client.get("/feeds/releases.atom")))
    withdraw(release, on=datetime.date(2022, 12, 5))
    [after] = entries(parse(client.get("/feeds/releases.atom")))
    assert after.findtext(f"{ATOM}id") == before.findtext(f"{ATOM}id")
    assert after.findtext(f"{ATOM}published") == before.findtext(f"{ATOM}published")
    updated = datetime.datetime.fromisoformat(after.findtext(f"{ATOM}updated"))
    assert updated.isoformat() == "2022-12-05T02:00:00+00:00"  # 10:00 in Singapore
    assert after.findtext(f"{ATOM}title") == "Withdrawn: Singapore and Shenzhen sign eight MoUs"
    assert after.findtext(f"{ATOM}summary") == "Withdrawn on 5 Dec 2022: issued in error"
    assert after.find(f"{ATOM}link").get("href") == before.find(f"{ATOM}link").get("href")


def test_feed_updated_moves_with_a_withdrawal(client, release):
    withdraw(release)
    root = parse(client.get("/feeds/releases.atom"))
    assert root.findtext(f"{ATOM}updated") == entries(root)[0].findtext(f"{ATOM}updated")


def test_withdrawal_entry_follows_the_feed_filters(client, make_release, imda, mci):
    issued = datetime.date(2022, 6, 1)  # make_release's own dates run into the future
    withdraw(make_release(title="From IMDA", agencies=[imda], published_on=issued))
    # A filter names a tag in public use.
    make_release(title="From MCI", agencies=[mci], published_on=issued)
    assert len(entries(parse(client.get("/feeds/releases.atom?agency=imda")))) == 1
    mci_feed = entries(parse(client.get("/feeds/releases.atom?agency=mci")))
    assert [entry.findtext(f"{ATOM}title") for entry in mci_feed] == ["From MCI"]


def test_withdrawal_older_than_the_feed_is_left_out(client, make_release, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    old = make_release(title="Old", published_on=datetime.date(2020, 1, 1))
    withdraw(old, on=datetime.date(2020, 2, 1))
    make_release(title="Newer", published_on=datetime.date(2023, 1, 1))
    make_release(title="Newest", published_on=datetime.date(2023, 2, 1))
    assert titles_in(client.get("/feeds/releases.atom")) == ["Newest", "Newer"]
    recent = make_release(title="Recent", published_on=datetime.date(2022, 6, 1))
    withdraw(recent, on=datetime.date(2023, 3, 1))
    assert titles_in(client.get("/feeds/releases.atom")) == [
        "Newest",
        "Newer",
        "Withdrawn: Recent",
    ]


def test_reinstated_release_is_an_ordinary_entry_again(client, release):
    from releases import withdrawal

    withdraw(release)
    withdrawal.reinstate({release.pk: 2})
    [entry] = entries(parse(client.get("/feeds/releases.atom")))
    assert entry.findtext(f"{ATOM}title") == "Singapore and Shenzhen sign eight MoUs"


def test_a_feed_names_a_tag_only_once_a_release_carrying_it_is_due(
    client, release, make_release, tomorrow, monkeypatch
):
    make_release(title="Embargoed", figures=["99 secret widgets"], published_on=tomorrow)
    refused = client.get("/feeds/releases.atom?figure=99-secret-widgets")
    unknown = client.get("/feeds/releases.atom?figure=99-never-widgets")
    assert refused.status_code == unknown.status_code == 400
    assert refused.content.replace(b"secret", b"never") == unknown.content
    localdate = feeds.timezone.localdate
    monkeypatch.setattr(
        feeds.timezone,
        "localdate",
        lambda value=None, tz=None: localdate(value, tz) if value else tomorrow,
    )
    root = parse(client.get("/feeds/releases.atom?figure=99-secret-widgets"))
    assert root.findtext(f"{ATOM}title").startswith("Releases: 99 secret widgets")
    assert [e.findtext(f"{ATOM}title") for e in entries(root)] == ["Embargoed"]


# --- `updated` follows public versions ------------------------------------------------


def correct(release, at):
    """Version 2 of the release, a correction saved at `at`."""
    edit(release, kind="correction", at=at, title="Singapore and Shenzhen sign 8 MoUs")


def entry_updated(client):
    [entry] = entries(parse(client.get("/feeds/releases.atom")))
    return entry.findtext(f"{ATOM}updated")


def test_saves_readers_cannot_see_do_not_update_an_entry(client, release):
    from django.utils import timezone

    # Any save bumps updated_at: a slug change, a tag merge, a status round trip.
    Release.objects.update(updated_at=timezone.now())
    release.slug = "a-new-address"
    release.save()
    assert entry_updated(client) == "2022-12-02T00:00:00+08:00"  # as issued


def test_a_new_public_version_updates_the_entry_and_the_feed(client, release):
    from django.utils import timezone

    correct(release, timezone.make_aware(datetime.datetime(2022, 12, 5, 10)))
    root = parse(client.get("/feeds/releases.atom"))
    assert entries(root)[0].findtext(f"{ATOM}updated") == "2022-12-05T02:00:00+00:00"
    assert root.findtext(f"{ATOM}updated") == "2022-12-05T02:00:00+00:00"
