"""Withdrawal (releases/withdrawal.py): the page stays, greyed; everything else lets go."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from releases import cards, withdrawal
from releases.models import Agency, Release, ReleaseRevision

WITHDRAWN_AT = timezone.make_aware(datetime.datetime(2022, 12, 5, 10, 30))
# make_release's default dates run on with the suite's count of releases, into the future.
ISSUED = datetime.date(2022, 6, 1)


def withdraw(release, reason="issued in error", *, on=WITHDRAWN_AT):
    """Withdraw as an editor would, then date it to 5 Dec 2022 for the page's wording."""
    withdrawal.withdraw({release.pk: release.version}, reason)
    Release.objects.filter(pk=release.pk).update(withdrawn_at=on)
    release.refresh_from_db()
    return release


@pytest.fixture
def withdrawn(release):
    return withdraw(release)


def test_withdrawn_page_stays_greyed_with_date_and_reason(client, withdrawn):
    response = client.get(withdrawn.get_absolute_url())
    text = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Withdrawn on" in text
    assert ">5 Dec 2022</time>:</strong> issued in error" in text
    assert 'class="release release--withdrawn"' in text
    assert "<h1>Singapore and Shenzhen sign eight MoUs</h1>" in text  # kept as issued
    assert "<title>Withdrawn: Singapore and Shenzhen sign eight MoUs" in text
    assert '<meta name="robots" content="noindex' in text


def test_withdrawn_release_leaves_lists_search_tags_counts_and_api(client, withdrawn, imda):
    assert not Release.objects.published().exists()
    assert Release.objects.public_total() == 0
    for url in ("/releases/", "/agencies/", "/api/releases/", "/sitemap-releases.xml", "/"):
        assert withdrawn.title not in client.get(url).content.decode(), url
    assert client.get("/api/releases/").json()["count"] == 0
    assert "sign eight MoUs" not in client.get("/search/?q=memoranda").content.decode()
    assert client.get("/api/releases/?q=memoranda").json()["count"] == 0
    assert imda not in Agency.objects.in_use()
    assert withdrawn.title not in client.get("/feeds/releases.atom?q=memoranda").content.decode()


def test_withdrawn_release_is_not_related_to_others(client, make_release, withdrawn, imda):
    other = make_release(title="Another IMDA release", agencies=[imda], published_on=ISSUED)
    response = client.get(other.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert withdrawn.title not in text


def test_search_facets_leave_a_withdrawn_release_out(client, make_release, imda, release):
    make_release(
        title="Memoranda from IMDA",
        summary="Memoranda again.",
        agencies=[imda],
        published_on=ISSUED,
    )
    before = client.get("/api/releases/?q=memoranda").json()
    withdraw(release)
    after = client.get("/api/releases/?q=memoranda").json()
    count = {f["slug"]: f["count"] for f in before["facets"]["agency"]}["imda"]
    assert {f["slug"]: f["count"] for f in after["facets"]["agency"]}["imda"] == count - 1
    assert [r["title"] for r in after["results"]] == ["Memoranda from IMDA"]


def test_old_address_of_a_withdrawn_release_still_redirects(client, release):
    release.slug = "renamed"
    release.save()
    withdraw(Release.objects.get())
    response = client.get("/releases/singapore-shenzhen-mous/")
    assert response.status_code == 301
    assert response["Location"] == "/releases/renamed/"
    assert client.get("/releases/renamed/").status_code == 200


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_only_a_public_release_can_be_withdrawn(make_release, tomorrow, state):
    if state == "draft":
        release = make_release(status=Release.Status.DRAFT)
    else:
        release = make_release(published_on=tomorrow)
    with pytest.raises(withdrawal.Refused, match="is not public"):
        withdrawal.withdraw({release.pk: release.version}, "issued in error")
    stored = Release.objects.get()
    assert (stored.status, stored.version) == (release.status, 1)
    assert not ReleaseRevision.objects.exists()


def test_a_withdrawn_draft_page_is_never_shown(client, make_release):
    """Nothing unpublished leaks: withdrawal cannot turn a draft into a public page."""
    draft = make_release(status=Release.Status.DRAFT, title="Secret plan")
    with pytest.raises(withdrawal.Refused):
        withdrawal.withdraw({draft.pk: 1}, "oops")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_withdrawal_is_recorded_bumps_the_version_and_is_not_an_update(client, release):
    withdrawn = withdraw(release)
    assert withdrawn.version == 2
    assert withdrawn.revised_at is None
    revision = ReleaseRevision.objects.get()
    assert revision.version == 2
    assert revision.changes == {
        "status": ["published", "withdrawn"],
        "withdrawal_reason": ["", "issued in error"],
    }
    assert revision.note == "Withdrawn: issued in error"
    assert "Updated on" not in client.get(release.get_absolute_url()).content.decode()


def test_reinstating_makes_it_public_again_as_it_was_and_is_recorded(client, withdrawn):
    withdrawal.reinstate({withdrawn.pk: withdrawn.version})
    stored = Release.objects.get()
    assert (stored.status, stored.withdrawn_at, stored.withdrawal_reason) == ("published", None, "")
    assert stored.version == 3
    assert stored.revised_at is None  # not an update either
    assert list(ReleaseRevision.objects.values_list("changes", flat=True)) == [
        {"status": ["withdrawn", "published"], "withdrawal_reason": ["issued in error", ""]},
        {"status": ["published", "withdrawn"], "withdrawal_reason": ["", "issued in error"]},
    ]
    text = client.get("/releases/").content.decode()
    assert stored.title in text
    assert "Withdrawn" not in client.get(stored.get_absolute_url()).content.decode()


def test_reinstating_a_release_that_is_not_withdrawn_changes_nothing(release):
    with pytest.raises(withdrawal.Refused, match="is not withdrawn"):
        withdrawal.reinstate({release.pk: release.version})
    assert Release.objects.get().version == 1


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("  issued in error \r\n", "issued in error"),
        ("issued\r\nin\x0berror", "issued in error"),
        ("superseded  by\tthe 9 Jan release", "superseded by the 9 Jan release"),
    ],
)
def test_reason_is_stored_as_one_clean_line(release, typed, stored):
    withdrawal.withdraw({release.pk: 1}, typed)
    assert Release.objects.get().withdrawal_reason == stored


@pytest.mark.parametrize("typed", ["", "   ", "\r\n", "\x00\x01"])
def test_a_withdrawal_without_a_reason_is_refused(release, typed):
    with pytest.raises(withdrawal.Refused, match="Give the reason"):
        withdrawal.withdraw({release.pk: 1}, typed)
    assert Release.objects.get().status == "published"


def test_withdrawal_from_a_stale_page_is_refused_and_says_what_changed(release, django_user_model):
    alice = django_user_model.objects.create_user("alice")
    opened = release.version
    release.title = "Corrected title"
    release.save()
    ReleaseRevision.objects.create(
        release=release,
        version=release.version,
        user=alice,
        via="admin",
        changes={"title": ["old", "Corrected title"]},
    )
    with pytest.raises(withdrawal.Refused) as refused:
        withdrawal.withdraw({release.pk: opened}, "issued in error")
    assert refused.value.messages == [
        "“Corrected title” was changed by alice after you opened this page (it is now "
        "version 2; you opened version 1): title. Look at it again before you decide."
    ]
    assert Release.objects.get().status == "published"


def test_withdrawing_several_is_all_or_nothing(make_release):
    first, second = make_release(published_on=ISSUED), make_release(status=Release.Status.DRAFT)
    with pytest.raises(withdrawal.Refused):
        withdrawal.withdraw({first.pk: 1, second.pk: 1}, "issued in error")
    assert not Release.objects.filter(status=Release.Status.WITHDRAWN).exists()


# --- Social cards and citations --------------------------------------------------------


def test_social_card_and_link_preview_say_withdrawn(client, pictured_release):
    Release.objects.filter(pk=pictured_release.pk).update(published_on=ISSUED)
    pictured_release.refresh_from_db()
    before = pictured_release.social_card_key
    withdrawn = withdraw(pictured_release)
    assert cards.meta_text(withdrawn).startswith("Withdrawn · ")
    assert not cards.uses_photo(withdrawn)  # the photo alone would not say so
    assert withdrawn.social_card_key != before
    text = client.get(withdrawn.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Withdrawn: Ceremony marks the new partnership">' in (
        text
    )
    card = client.get(withdrawn.social_card_url)
    assert card.status_code == 200
    assert card["Content-Type"] == "image/jpeg"


def test_citations_of_a_withdrawn_release_say_withdrawn(client, withdrawn):
    text = client.get(withdrawn.get_absolute_url()).content.decode()
    assert "[Press release; withdrawn December 5, 2022]" in text  # APA
    assert "December 2, 2022. Withdrawn December 5, 2022." in text  # Chicago
    assert "2 Dec. 2022, withdrawn 5 Dec. 2022," in text  # MLA
    bib = client.get(f"/releases/{withdrawn.slug}/cite.bib").content.decode()
    assert "note = {Withdrawn 5 December 2022: issued in error. Accessed" in bib
    ris = client.get(f"/releases/{withdrawn.slug}/cite.ris").content.decode()
    assert "N1  - Withdrawn 2022-12-05: issued in error\r\n" in ris


def test_citations_of_a_published_release_say_nothing_of_withdrawal(client, release):
    text = client.get(release.get_absolute_url()).content.decode()
    assert "ithdrawn" not in text


# --- Deleted releases ------------------------------------------------------------------


def test_deleted_once_public_release_answers_410_and_its_old_address_too(client, release):
    release.slug = "renamed"
    release.save()
    withdrawal.leave_addresses(Release.objects.all())
    Release.objects.all().delete()
    for url in ("/releases/renamed/", "/releases/singapore-shenzhen-mous/"):
        response = client.get(url)
        assert response.status_code == 410, url
        assert "removed from the archive" in response.content.decode()
    assert client.get("/releases/renamed/cite.bib").status_code == 410
    api = client.get("/api/releases/renamed/")
    assert api.status_code == 410
    assert api.json()["error"] == "That release was removed from the archive."


def test_deleted_draft_leaves_no_trace(client, make_release):
    draft = make_release(status=Release.Status.DRAFT, slug="secret-plan")
    withdrawal.leave_addresses(Release.objects.all())
    draft.delete()
    assert client.get("/releases/secret-plan/").status_code == 404
    assert client.get("/api/releases/secret-plan/").status_code == 404


def test_a_new_release_at_a_removed_address_is_shown(client, release, make_release):
    withdrawal.leave_addresses(Release.objects.all())
    release.delete()
    make_release(slug="singapore-shenzhen-mous", title="A new release here", published_on=ISSUED)
    assert client.get("/releases/singapore-shenzhen-mous/").status_code == 200


@pytest.mark.parametrize(
    "history",
    [
        {"status": ["published", "draft"]},  # unpublished after publication
        {"status": ["", "published"]},  # created published in the admin
    ],
)
def test_published_history_makes_a_draft_once_public(make_release, history):
    draft = make_release(status=Release.Status.DRAFT)
    assert not Release.objects.once_public().exists()
    ReleaseRevision.objects.create(release=draft, version=2, via="action", changes=history)
    assert list(Release.objects.once_public()) == [draft]


def test_once_public_covers_public_and_withdrawn_not_scheduled(make_release, tomorrow):
    public = make_release(published_on=ISSUED)
    gone = withdraw(make_release(published_on=ISSUED))
    make_release(published_on=tomorrow)
    make_release(status=Release.Status.DRAFT)
    assert set(Release.objects.once_public()) == {public, gone}


# --- Imports leave withdrawal to editors ----------------------------------------------


def import_records(tmp_path, *records):
    path = tmp_path / "releases.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    err = io.StringIO()
    try:
        call_command("import_releases", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError as error:
        raise CommandError(f"{error} {err.getvalue()}") from None


def test_reimporting_a_withdrawn_release_does_not_reinstate_it(tmp_path, withdrawn):
    import_records(
        tmp_path,
        {
            "title": "Retitled on import",
            "slug": withdrawn.slug,
            "published_on": "2022-12-02",
            "body": withdrawn.body,
            "status": "published",
        },
    )
    stored = Release.objects.get()
    assert (stored.status, stored.title) == ("withdrawn", "Retitled on import")
    assert stored.withdrawal_reason == "issued in error"


def test_an_import_cannot_withdraw(tmp_path, release):
    record = {"title": "T", "slug": release.slug, "published_on": "2022-12-02", "body": "B"}
    refusal = "unknown status “withdrawn”; use one of draft, published"
    with pytest.raises(CommandError, match=refusal):
        import_records(tmp_path, {**record, "status": "withdrawn"})
    assert Release.objects.get().status == "published"
