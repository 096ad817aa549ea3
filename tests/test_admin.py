import datetime
import re
import threading
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from releases.models import (
    Agency,
    AgencyAlias,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    ReleaseVersion,
)

from .admin_pages import change_url, form_data

NO_REDIRECTS = {"redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0"}


def test_changelist_shows_columns_and_filters(admin_client, release):
    response = admin_client.get(reverse("admin:releases_release_changelist"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Singapore and Shenzhen sign eight MoUs" in text
    assert "IMDA" in text  # agency column uses the acronym
    for heading in ("By status", "By kind", "By year", "By agencies", "By programmes"):
        assert heading in text


def test_changelist_says_which_releases_are_scheduled(admin_client, make_release, tomorrow):
    make_release(title="Embargoed", published_on=tomorrow)
    make_release(title="Unfinished", status=Release.Status.DRAFT)
    text = admin_client.get(reverse("admin:releases_release_changelist")).content.decode()
    assert "Scheduled for" in text
    assert ">Draft<" in text


@pytest.mark.parametrize(
    "query", ["status__exact=published", "kind__exact=press-release", "year=2022", "q=Shenzhen"]
)
def test_changelist_filters_and_search(admin_client, release, make_release, query):
    make_release(
        title="Unrelated draft",
        status="draft",
        kind="speech",
        published_on=datetime.date(2019, 1, 1),
    )
    url = reverse("admin:releases_release_changelist") + "?" + query
    text = admin_client.get(url).content.decode()
    assert "Singapore and Shenzhen sign eight MoUs" in text
    assert "Unrelated draft" not in text


def test_change_form_is_grouped_into_fieldsets(admin_client, release):
    text = admin_client.get(change_url(release)).content.decode()
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", text)
    assert [h for h in headings if h in {"Content", "Tags", "Publication", "Image", "Source"}] == [
        "Content",
        "Tags",
        "Publication",
        "Image",
        "Source",
    ]
    assert 'name="version" value="1"' in text
    assert 'list="id_agencies-suggestions"' in text
    assert "js/admin_tag_suggestions.js" in text


def test_add_release_with_tags(admin_client, imda):
    response = admin_client.post(
        reverse("admin:releases_release_add"),
        {
            "title": "New release",
            "slug": "new-release",
            "kind": "factsheet",
            "summary": "Short.",
            "body": "Some *text*.",
            "agencies": "imda, Infocomm Media Development Authority",
            "programmes": "TradeTrust",
            "figures": "14 new joint projects, 10,000+ enterprises",
            "status": "published",
            "published_on": "2023-01-05",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    release = Release.objects.get(slug="new-release")
    assert release.body_html == "<p>Some <em>text</em>.</p>"
    assert [a.slug for a in release.agencies.all()] == ["imda"]
    assert Agency.objects.count() == 1
    assert [p.name for p in release.programmes.all()] == ["TradeTrust"]
    assert sorted((int(f.value), f.label) for f in Figure.objects.all()) == [
        (14, "new joint projects"),
        (10000, "enterprises"),
    ]


def test_text_pasted_from_a_word_processor_loses_its_control_characters(
    admin_client, release, imda
):
    data = form_data(
        release,
        title="Pasted\x0btitle\x1b",
        summary="First line\x0bsecond line.",
        body="Page one.\x0cPage two.\x07",
        agencies="imda\x0b, Osprey\x1b Agency",
    )
    response = admin_client.post(change_url(release), {**data, **NO_REDIRECTS})
    assert response.status_code == 302, response.content.decode()[:2000]
    release.refresh_from_db()
    assert (release.title, release.summary) == ("Pasted title", "First line\nsecond line.")
    assert release.body == "Page one.\nPage two."
    assert sorted(a.name for a in release.agencies.all()) == [
        "Infocomm Media Development Authority",
        "Osprey Agency",
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "Imda",
        "INFOCOMM MEDIA DEVELOPMENT AUTHORITY",
        "infocomm-media-development-authority",
        "Infocomm Development Authority of Singapore",
    ],
)
def test_typed_agency_names_link_the_existing_agency(admin_client, release, imda, typed):
    AgencyAlias.objects.create(
        agency=imda, name="Infocomm Development Authority of Singapore", acronym="IDA"
    )
    response = admin_client.post(change_url(release), form_data(release, agencies=typed))
    assert response.status_code == 302
    assert Agency.objects.count() == 1
    assert list(release.agencies.all()) == [imda]


def test_programme_differing_only_in_case_or_punctuation_is_not_duplicated(
    admin_client, release, smart_city
):
    typed = "singapore-china (shenzhen) smart city initiative"
    admin_client.post(change_url(release), form_data(release, programmes=typed))
    assert Programme.objects.count() == 1


def test_figure_without_a_number_is_a_form_error(admin_client, release):
    response = admin_client.post(change_url(release), form_data(release, figures="many MoUs"))
    assert response.status_code == 200
    assert "needs a number first" in response.content.decode()
    assert Release.objects.get().version == 1


def test_tag_suggestions_offer_existing_tags_of_one_kind(admin_client, imda, mci, smart_city):
    url = reverse("admin:releases_release_tag_suggestions", args=["agencies"])
    results = admin_client.get(url, {"q": "imd"}).json()["results"]
    assert results == [
        {
            "name": "Infocomm Media Development Authority",
            "label": "Infocomm Media Development Authority (IMDA)",
        }
    ]
    programmes = reverse("admin:releases_release_tag_suggestions", args=["programmes"])
    assert admin_client.get(programmes, {"q": "smart"}).json()["results"][0]["name"] == (
        smart_city.name
    )
    assert admin_client.get(programmes, {"q": "\x00"}).json() == {"results": []}
    unknown = reverse("admin:releases_release_tag_suggestions", args=["colours"])
    assert admin_client.get(unknown, {"q": "x"}).status_code == 404


def test_tag_suggestions_are_for_staff_only(client, imda):
    url = reverse("admin:releases_release_tag_suggestions", args=["agencies"])
    response = client.get(url, {"q": "imd"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_figure_admin_reads_value_and_label_from_the_name(admin_client):
    response = admin_client.post(
        reverse("admin:releases_figure_add"),
        {"name": "8 MoUs signed", "value": "", "label": "", "slug": "", **NO_REDIRECTS},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    figure = Figure.objects.get()
    assert (figure.value, figure.label, figure.slug) == (8, "MoUs signed", "8-mous-signed")


def test_figure_admin_refuses_a_name_without_a_number(admin_client):
    response = admin_client.post(
        reverse("admin:releases_figure_add"),
        {"name": "Several MoUs", "value": "", "label": "", "slug": "", **NO_REDIRECTS},
    )
    assert response.status_code == 200
    assert "like “8 MoUs signed”" in response.content.decode()
    assert not Figure.objects.exists()


# --- Publishing and preview -------------------------------------------------------------


def test_publish_action_publishes_and_reports_scheduled(admin_client, make_release, tomorrow):
    draft = make_release(status=Release.Status.DRAFT)
    later = make_release(status=Release.Status.DRAFT, published_on=tomorrow)
    response = admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "publish", "_selected_action": [draft.pk, later.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Published 2 releases. 1 of them is dated in the future" in text
    assert set(Release.objects.published()) == {draft}
    assert Release.objects.get(pk=later.pk).status == "published"
    assert Release.objects.get(pk=draft.pk).version == 2
    revision = ReleaseRevision.objects.get(release=draft)
    assert revision.changes == {"status": ["draft", "published"]}
    assert LogEntry.objects.filter(object_id=str(draft.pk)).count() == 1


def test_unpublish_action_returns_releases_to_draft(admin_client, client, release):
    admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "unpublish", "_selected_action": [release.pk]},
    )
    assert Release.objects.get().status == "draft"
    assert client.get(release.get_absolute_url()).status_code == 404


def test_save_and_preview_shows_the_draft_to_staff_only(admin_client, client, release):
    Release.objects.update(status=Release.Status.DRAFT)
    release.refresh_from_db()
    response = admin_client.post(
        change_url(release), form_data(release, title="Draft headline", _preview="1")
    )
    assert response.status_code == 302
    assert response["Location"] == release.get_absolute_url()
    page = admin_client.get(response["Location"]).content.decode()
    assert "<h1>Draft headline</h1>" in page
    assert "only staff can see this page" in page
    assert client.get(release.get_absolute_url()).status_code == 404


def test_change_form_offers_preview_for_drafts(admin_client, release):
    assert ">Preview<" not in admin_client.get(change_url(release)).content.decode()
    Release.objects.update(status=Release.Status.DRAFT)
    text = admin_client.get(change_url(release)).content.decode()
    assert ">Preview<" in text
    assert 'name="_preview"' in text


# --- No lost updates --------------------------------------------------------------------


def test_second_of_two_concurrent_saves_is_refused(admin_client, django_user_model, release):
    alice = django_user_model.objects.create_superuser("alice", "alice@example.com", "pw")
    bob = django_user_model.objects.create_superuser("bob", "bob@example.com", "pw")
    admin_client.force_login(alice)
    opened = Release.objects.get()  # both open the same version

    first = admin_client.post(change_url(release), form_data(opened, title="Alice's title"))
    assert first.status_code == 302

    admin_client.force_login(bob)
    second = admin_client.post(
        change_url(release), form_data(opened, summary="Bob's summary", agencies="MCI")
    )
    text = second.content.decode()
    assert second.status_code == 200
    assert "Not saved: alice saved this release after you opened it" in text
    assert "Title: “Singapore and Shenzhen sign eight MoUs” → “Alice&#x27;s title”" in text
    assert "Bob&#x27;s summary" in text  # bob's edit is still in the form

    saved = Release.objects.get()
    assert saved.title == "Alice's title"
    assert saved.summary == opened.summary
    assert [a.acronym for a in saved.agencies.all()] == ["IMDA"]
    assert saved.version == 2
    assert not Agency.objects.filter(name="MCI").exists()


def test_save_from_the_current_version_goes_through(admin_client, release):
    admin_client.post(change_url(release), form_data(release, title="One"))
    current = Release.objects.get()
    response = admin_client.post(change_url(release), form_data(current, title="Two"))
    assert response.status_code == 302
    assert Release.objects.get().version == 3


def test_saving_without_changes_makes_no_new_version(admin_client, release):
    opened = Release.objects.get()
    assert admin_client.post(change_url(release), form_data(opened)).status_code == 302
    assert Release.objects.get().version == 1
    response = admin_client.post(change_url(release), form_data(opened, title="Real edit"))
    assert response.status_code == 302
    assert Release.objects.get().version == 2


def test_tampered_version_is_refused(admin_client, release):
    response = admin_client.post(change_url(release), form_data(release, version=""))
    assert response.status_code == 200
    assert "Not saved" in response.content.decode()


# --- History and corrections ------------------------------------------------------------


def test_history_lists_every_change_field_by_field(admin_client, release):
    admin_client.post(change_url(release), form_data(release, title="Corrected title"))
    current = Release.objects.get()
    admin_client.post(change_url(release), form_data(current, figures="9 MoUs signed"))
    admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "unpublish", "_selected_action": [release.pk]},
    )

    url = reverse("admin:releases_release_history", args=[release.pk])
    text = admin_client.get(url).content.decode()
    assert [r.version for r in ReleaseRevision.objects.all()] == [4, 3, 2]
    assert "<del>Singapore and Shenzhen sign eight MoUs</del> → <ins>Corrected title</ins>" in text
    assert "<del>8 MoUs signed</del> → <ins>9 MoUs signed</ins>" in text
    assert "<del>published</del> → <ins>draft</ins>" in text
    assert "Admin log" in text


def test_history_of_unknown_release_is_not_an_error(admin_client, db):
    url = reverse("admin:releases_release_history", args=["nope"])
    assert admin_client.get(url).status_code in (302, 404)


def test_public_page_shows_update_date_and_correction(admin_client, client, release):
    admin_client.post(
        change_url(release),
        form_data(release, body="Nine MoUs.", correction_note="An earlier version said eight."),
    )
    text = client.get(release.get_absolute_url()).content.decode()
    today = timezone.localdate()
    assert f'<dt>Updated on</dt><dd><time datetime="{today:%Y-%m-%d}">' in text
    assert "An earlier version said eight." in text


def test_editing_a_draft_before_publication_shows_no_update(admin_client, client, release):
    Release.objects.update(status=Release.Status.DRAFT)
    release.refresh_from_db()
    admin_client.post(change_url(release), form_data(release, body="Better.", status="published"))
    text = client.get(release.get_absolute_url()).content.decode()
    assert "Updated on" not in text


def test_change_form_has_view_on_site_link(admin_client, release):
    response = admin_client.get(change_url(release))
    assert response.status_code == 200
    assert "View on site" in response.content.decode()


@pytest.mark.parametrize("model", ["agency", "programme", "figure"])
def test_tag_admins_show_release_counts(admin_client, release, model):
    response = admin_client.get(reverse(f"admin:releases_{model}_changelist"))
    assert response.status_code == 200
    assert 'class="field-release_count">1<' in response.content.decode()


def test_agency_admin_edits_acronym(admin_client, imda):
    response = admin_client.post(
        reverse("admin:releases_agency_change", args=[imda.pk]),
        {
            "name": imda.name,
            "slug": imda.slug,
            "acronym": "IMDA-SG",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            **NO_REDIRECTS,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Agency.objects.get().acronym == "IMDA-SG"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_cannot_both_pass_the_version_check(
    django_user_model, imda, smart_city, monkeypatch
):
    from releases.admin_forms import ReleaseAdminForm

    release = Release.objects.create(
        title="Original", slug="original", published_on=datetime.date(2022, 1, 1), body="Text."
    )
    user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    check_version = ReleaseAdminForm.check_version

    def slow_check(form, loaded):
        check_version(form, loaded)
        time.sleep(0.5)  # hold the row while the other save arrives

    monkeypatch.setattr(ReleaseAdminForm, "check_version", slow_check)
    start = threading.Barrier(2)
    statuses = []

    def save(title):
        client = Client()
        client.force_login(user)
        start.wait()
        statuses.append(client.post(change_url(release), form_data(release, title=title)))
        connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in statuses) == [200, 302]
    refused = next(r for r in statuses if r.status_code == 200)
    assert "Not saved" in refused.content.decode()
    assert Release.objects.get().version == 2


# --- Withdrawal (releases/withdrawal_admin.py) -------------------------------------------

CHANGELIST = "/admin/releases/release/"


def withdraw_action(client, releases, follow=False, **data):
    """Choose the withdraw action for `releases` (the reason page), or apply it with `data`."""
    post = {"action": "withdraw", "_selected_action": [r.pk for r in releases], **data}
    if data:
        post.update(apply="1", opened=[f"{r.pk}:{r.version}" for r in releases])
    return client.post(CHANGELIST, post, follow=follow)


def test_withdraw_action_asks_for_the_reason_first(admin_client, release):
    response = withdraw_action(admin_client, [release])
    text = response.content.decode()
    assert response.status_code == 200
    assert "Withdraw 1 release" in text
    assert 'name="reason"' in text
    assert f'name="opened" value="{release.pk}:1"' in text
    assert Release.objects.get().status == "published"


def test_withdraw_action_withdraws_with_the_reason(admin_client, client, release):
    response = withdraw_action(admin_client, [release], reason="issued in error")
    assert response.status_code == 302
    messages = admin_client.get(response["Location"]).content.decode()
    assert "Withdrew 1 release." in messages
    stored = Release.objects.get()
    assert (stored.status, stored.withdrawal_reason, stored.version) == (
        "withdrawn",
        "issued in error",
        2,
    )
    assert ReleaseRevision.objects.get().user.username == "admin"
    assert LogEntry.objects.get().change_message == "Withdrawn: issued in error"
    assert "issued in error" in client.get(release.get_absolute_url()).content.decode()
    assert release.title not in client.get("/releases/").content.decode()


@pytest.mark.parametrize("reason", ["", "  \r\n "])
def test_withdrawal_without_a_reason_asks_again_and_changes_nothing(admin_client, release, reason):
    response = withdraw_action(admin_client, [release], reason=reason)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode() or (
        "Give the reason readers will see" in response.content.decode()
    )
    assert Release.objects.get().status == "published"


def test_withdraw_action_leaves_drafts_and_scheduled_releases_alone(
    admin_client, release, make_release, tomorrow
):
    draft = make_release(status=Release.Status.DRAFT, title="Unfinished")
    later = make_release(published_on=tomorrow, title="Embargoed")
    page = withdraw_action(admin_client, [release, draft, later]).content.decode()
    assert "Withdraw 1 release" in page
    assert "Left as they are" in page and "Unfinished" in page and "Embargoed" in page
    response = withdraw_action(admin_client, [draft], follow=True)
    assert "“Unfinished” is not public (draft)" in response.content.decode()
    assert Release.objects.filter(status="withdrawn").count() == 0


def test_change_page_links_to_withdraw_then_reinstate(admin_client, release):
    withdraw_url = f"/admin/releases/release/{release.pk}/withdraw/"
    assert withdraw_url in admin_client.get(change_url(release)).content.decode()
    page = admin_client.get(withdraw_url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    response = admin_client.post(
        withdraw_url, {"apply": "1", "opened": f"{release.pk}:1", "reason": "issued in error"}
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(release)

    text = admin_client.get(change_url(release)).content.decode()
    reinstate_url = f"/admin/releases/release/{release.pk}/reinstate/"
    assert reinstate_url in text and withdraw_url not in text
    assert "issued in error" in text
    response = admin_client.post(reinstate_url, {"apply": "1", "opened": f"{release.pk}:2"})
    assert response.status_code == 302
    assert Release.objects.get().status == "published"
    assert Release.objects.get().version == 3


def test_withdrawn_release_text_cannot_be_edited_until_reinstated(admin_client, client, release):
    withdraw_action(admin_client, [release], reason="issued in error")
    release.refresh_from_db()
    response = admin_client.post(
        change_url(release), form_data(release, title="Rewritten after withdrawal")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: this release is withdrawn" in text
    assert "Rewritten after withdrawal" in text  # still in the form
    stored = Release.objects.get()
    assert (stored.title, stored.version) == (release.title, release.version)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Rewritten after withdrawal" not in page


def test_reinstate_action_makes_withdrawn_releases_public(admin_client, client, release):
    withdraw_action(admin_client, [release], reason="issued in error")
    release.refresh_from_db()
    page = admin_client.post(
        CHANGELIST, {"action": "reinstate", "_selected_action": [release.pk]}
    ).content.decode()
    assert "Reinstate 1 release" in page
    admin_client.post(
        CHANGELIST,
        {
            "action": "reinstate",
            "_selected_action": [release.pk],
            "apply": "1",
            "opened": f"{release.pk}:{release.version}",
        },
    )
    assert release.title in client.get("/releases/").content.decode()


def test_status_field_offers_no_withdrawn_choice(admin_client, release):
    text = admin_client.get(change_url(release)).content.decode()
    assert 'value="withdrawn"' not in text
    response = admin_client.post(change_url(release), form_data(release, status="withdrawn"))
    assert response.status_code == 200
    assert Release.objects.get().status == "published"


def test_a_withdrawn_release_can_only_be_reinstated_not_republished(admin_client, release):
    withdraw_action(admin_client, [release], reason="issued in error")
    withdrawn = Release.objects.get()
    admin_client.post(change_url(release), form_data(withdrawn, status="published"))
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [release.pk]})
    admin_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [release.pk]})
    stored = Release.objects.get()
    assert stored.status == "withdrawn"
    assert "Withdrawn on" in admin_client.get(CHANGELIST).content.decode()


def test_form_opened_before_a_withdrawal_is_refused_and_keeps_the_edits(
    admin_client, django_user_model, release
):
    """Two editors at once: Bob withdraws while Alice edits; Alice is told, nothing is lost."""
    alice = django_user_model.objects.create_superuser("alice", "alice@example.com", "pw")
    bob = django_user_model.objects.create_superuser("bob", "bob@example.com", "pw")
    opened = Release.objects.get()
    admin_client.force_login(bob)
    withdraw_action(admin_client, [opened], reason="issued in error")

    admin_client.force_login(alice)
    response = admin_client.post(change_url(release), form_data(opened, title="Alice's title"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: bob saved this release after you opened it" in text
    assert "Status: “published” → “withdrawn”" in text
    assert "Withdrawal reason: “(empty)” → “issued in error”" in text
    assert "Alice&#x27;s title" in text  # still in the form
    stored = Release.objects.get()
    assert (stored.status, stored.title, stored.version) == ("withdrawn", opened.title, 2)


def test_withdrawal_page_opened_before_an_edit_is_refused(admin_client, django_user_model, release):
    """Alice saves a correction while Bob is on the withdrawal page: Bob is told."""
    alice = django_user_model.objects.create_superuser("alice", "alice@example.com", "pw")
    bob = django_user_model.objects.create_superuser("bob", "bob@example.com", "pw")
    opened = Release.objects.get()
    admin_client.force_login(alice)
    admin_client.post(change_url(release), form_data(opened, title="Corrected title"))

    admin_client.force_login(bob)
    response = withdraw_action(admin_client, [opened], reason="issued in error")
    text = response.content.decode()
    assert response.status_code == 200
    assert "“Corrected title” was changed by alice after you opened this page" in text
    assert "Nothing was withdrawn." in text
    assert 'value="issued in error"' in text  # the reason is kept
    assert f'name="opened" value="{release.pk}:2"' in text  # the page now shows version 2
    stored = Release.objects.get()
    assert (stored.status, stored.title) == ("published", "Corrected title")


def test_second_of_two_withdrawals_is_told_it_was_already_withdrawn(
    admin_client, django_user_model, release
):
    alice = django_user_model.objects.create_superuser("alice", "alice@example.com", "pw")
    opened = Release.objects.get()
    withdraw_action(admin_client, [opened], reason="issued in error")
    admin_client.force_login(alice)
    response = withdraw_action(admin_client, [opened], reason="duplicate", follow=True)
    assert "is already withdrawn" in response.content.decode()
    assert Release.objects.get().withdrawal_reason == "issued in error"
    assert ReleaseRevision.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_withdrawal_and_save_cannot_both_pass(django_user_model, monkeypatch):
    from releases import withdrawal
    from releases.admin_forms import ReleaseAdminForm

    release = Release.objects.create(
        title="Original",
        slug="original",
        published_on=datetime.date(2022, 1, 1),
        body="Text.",
        status=Release.Status.PUBLISHED,
    )
    user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    check_version = ReleaseAdminForm.check_version

    def slow_check(form, loaded):
        check_version(form, loaded)
        time.sleep(0.5)  # hold the row while the withdrawal arrives

    monkeypatch.setattr(ReleaseAdminForm, "check_version", slow_check)
    start = threading.Barrier(2)
    outcomes = []

    def save():
        client = Client()
        client.force_login(user)
        start.wait()
        response = client.post(change_url(release), form_data(release, title="Edited"))
        outcomes.append(("save", response.status_code == 302))
        connection.close()

    def withdraw():
        start.wait()
        time.sleep(0.1)
        try:
            withdrawal.withdraw({release.pk: 1}, "issued in error")
            outcomes.append(("withdraw", True))
        except withdrawal.Refused:
            outcomes.append(("withdraw", False))
        connection.close()

    threads = [threading.Thread(target=save), threading.Thread(target=withdraw)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(done for _, done in outcomes) == [False, True]
    assert Release.objects.get().version == 2


@pytest.mark.parametrize("opened", [None, "", "abc", "1:x", "999:1"])
def test_withdrawal_without_the_pages_versions_changes_nothing(admin_client, release, opened):
    data = {"action": "withdraw", "_selected_action": [release.pk], "apply": "1"}
    data["reason"] = "issued in error"
    if opened is not None:
        data["opened"] = opened
    response = admin_client.post(CHANGELIST, data)
    assert response.status_code == 200
    assert "Nothing was withdrawn." in response.content.decode()
    assert Release.objects.get().status == "published"


def test_withdraw_page_of_an_unknown_release_is_404(admin_client, db):
    assert admin_client.get("/admin/releases/release/999/withdraw/").status_code == 404
    assert admin_client.get("/admin/releases/release/abc/reinstate/").status_code == 404


# --- Kind of change: correction or update ------------------------------------------------


def test_a_change_readers_will_see_needs_its_kind(admin_client, release):
    response = admin_client.post(
        change_url(release), form_data(release, title="Changed", change_kind="")
    )
    assert response.status_code == 200
    assert "Readers will see this change: say whether it is a correction" in (
        response.content.decode()
    )
    assert Release.objects.get().title == release.title
    assert not ReleaseVersion.objects.exists()


@pytest.mark.parametrize("kind", ["correction", "update"])
def test_the_kind_chosen_is_the_new_versions(admin_client, client, release, kind):
    data = form_data(release, summary="Eight memoranda and more.", change_kind=kind)
    assert admin_client.post(change_url(release), data).status_code == 302
    assert list(ReleaseVersion.objects.values_list("number", "kind")) == [
        (1, "issued"),
        (2, kind),
    ]
    verb = {"correction": "Corrected", "update": "Updated"}[kind]
    assert f"{verb} <time" in client.get(release.get_absolute_url()).content.decode()


def test_the_form_asks_the_kind_only_of_a_public_release(admin_client, release, make_release):
    assert "This change is" in admin_client.get(change_url(release)).content.decode()
    draft = make_release(status=Release.Status.DRAFT)
    assert "This change is" not in admin_client.get(change_url(draft)).content.decode()
    add = admin_client.get(reverse("admin:releases_release_add")).content.decode()
    assert "This change is" not in add


def test_changes_readers_cannot_see_are_not_asked_their_kind(admin_client, release, make_release):
    data = form_data(release, slug="a-new-address", change_kind="")
    assert admin_client.post(change_url(release), data).status_code == 302
    draft = make_release(status=Release.Status.DRAFT)
    data = form_data(draft, title="Draft wording", change_kind="")
    assert admin_client.post(change_url(draft), data).status_code == 302
    assert not ReleaseVersion.objects.exists()


def test_unpublishing_with_a_list_action_keeps_what_readers_saw(admin_client, release):
    admin_client.post(
        reverse("admin:releases_release_changelist"),
        {"action": "unpublish", "_selected_action": [release.pk]},
    )
    assert list(ReleaseVersion.objects.values_list("number", "title")) == [(1, release.title)]
