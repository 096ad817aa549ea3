"""Who may do what in the admin, and throttled logins."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from releases import withdrawal
from releases.admin_forms import ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_LIMIT
from releases.models import Release, RemovedSlug


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "edith", password="a-long-passphrase", is_staff=True
    )
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def test_editor_group_exists_with_release_and_tag_permissions(db):
    codenames = set(Group.objects.get(name="editor").permissions.values_list("codename", flat=True))
    assert {"change_release", "add_release", "change_agency", "delete_figure"} <= codenames
    assert not {c for c in codenames if c.endswith("_user") or c.endswith("_group")}


@pytest.mark.parametrize(
    "url",
    [
        "admin:releases_release_changelist",
        "admin:releases_release_add",
        "admin:releases_agency_changelist",
        "admin:releases_programme_changelist",
        "admin:releases_figure_add",
    ],
)
def test_editor_can_edit_releases_and_tags(client, editor, url):
    client.force_login(editor)
    assert client.get(reverse(url)).status_code == 200


def test_editor_can_save_a_release(client, editor, release):
    client.force_login(editor)
    page = client.get(reverse("admin:releases_release_change", args=[release.pk]))
    assert 'name="_save"' in page.content.decode()


@pytest.mark.parametrize("url", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_editor_cannot_manage_users_even_when_granted(client, editor, url):
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    client.force_login(editor)
    assert client.get(reverse(url)).status_code == 403
    assert "Users" not in client.get(reverse("admin:index")).content.decode()


def test_superuser_manages_users(admin_client, editor):
    assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_change", args=[editor.pk])).status_code == 200


def login(client, username, password, address="203.0.113.9"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_login_is_refused_after_repeated_failures(client, editor):
    for _ in range(LOGIN_FAILURE_LIMIT):
        response = login(client, "edith", "wrong")
        assert "Please enter the correct username and password" in response.content.decode()
    response = login(client, "edith", "a-long-passphrase")
    assert response.status_code == 200
    assert "Too many failed attempts to log in" in response.content.decode()
    # Another address is not held up by someone guessing elsewhere.
    assert login(client, "edith", "a-long-passphrase", address="198.51.100.7").status_code == 302


def test_success_before_the_limit_starts_the_count_again(client, editor):
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        login(client, "edith", "wrong")
    assert login(client, "edith", "a-long-passphrase").status_code == 302
    client.logout()
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        login(client, "edith", "wrong")
    assert login(client, "edith", "a-long-passphrase").status_code == 302


def test_one_address_trying_many_usernames_is_throttled(client, editor):
    for n in range(ADDRESS_FAILURE_LIMIT):
        login(client, f"guess{n}", "wrong")
    response = login(client, "edith", "a-long-passphrase")
    assert "Too many failed attempts to log in" in response.content.decode()


# --- Deleting releases: withdrawal, not deletion -----------------------------------------


def delete_url(release):
    return reverse("admin:releases_release_delete", args=[release.pk])


def bulk_delete(client, releases, confirmed=True):
    data = {"action": "delete_selected", "_selected_action": [r.pk for r in releases]}
    if confirmed:
        data["post"] = "yes"
    return client.post(reverse("admin:releases_release_changelist"), data, follow=True)


def test_editor_cannot_delete_a_once_public_release(client, editor, release):
    client.force_login(editor)
    page = client.get(reverse("admin:releases_release_change", args=[release.pk]))
    assert "deletelink" not in page.content.decode()
    assert client.get(delete_url(release)).status_code == 403
    assert client.post(delete_url(release), {"post": "yes"}).status_code == 403
    assert Release.objects.filter(pk=release.pk).exists()


@pytest.mark.parametrize("state", ["public", "withdrawn", "unpublished"])
def test_editor_bulk_delete_of_once_public_releases_is_refused(
    client, editor, release, make_release, state
):
    draft = make_release(status=Release.Status.DRAFT)
    if state == "withdrawn":
        withdrawal.withdraw({release.pk: 1}, "issued in error")
    if state == "unpublished":  # a draft again, but readers saw it
        client.force_login(editor)
        client.post(
            reverse("admin:releases_release_changelist"),
            {"action": "unpublish", "_selected_action": [release.pk]},
        )
    client.force_login(editor)
    response = bulk_delete(client, [release, draft])
    text = response.content.decode()
    assert "Nothing deleted: 1 release of those selected has been public" in text
    assert "Withdraw it instead" in text
    assert Release.objects.count() == 2


def test_editor_can_delete_a_draft_that_was_never_public(client, editor, make_release, tomorrow):
    draft = make_release(status=Release.Status.DRAFT, slug="never-seen")
    scheduled = make_release(published_on=tomorrow)
    client.force_login(editor)
    assert (
        "deletelink"
        in client.get(reverse("admin:releases_release_change", args=[draft.pk])).content.decode()
    )
    assert client.post(delete_url(draft), {"post": "yes"}).status_code == 302
    assert "Successfully deleted 1 release" in bulk_delete(client, [scheduled]).content.decode()
    assert not Release.objects.exists()
    assert not RemovedSlug.objects.exists()
    assert client.get("/releases/never-seen/").status_code == 404


def test_superuser_is_told_what_deleting_a_public_release_breaks(admin_client, release):
    release.slug = "renamed"
    release.save()
    text = admin_client.get(delete_url(release)).content.decode()
    assert "This release has been public." in text
    assert "410 Gone" in text
    assert "<code>/releases/renamed/</code>, <code>/releases/singapore-shenzhen-mous/</code>" in (
        text
    )
    assert "links, bookmarks and citations" in text
    assert f"/admin/releases/release/{release.pk}/withdraw/" in text  # the way to keep it
    bulk = bulk_delete(admin_client, [release], confirmed=False).content.decode()
    assert "410 Gone" in bulk and "/releases/renamed/" in bulk


def test_superuser_deletes_and_every_address_answers_410(admin_client, client, release):
    release.slug = "renamed"
    release.save()
    assert admin_client.post(delete_url(release), {"post": "yes"}).status_code == 302
    assert not Release.objects.exists()
    assert client.get("/releases/renamed/").status_code == 410
    assert client.get("/releases/singapore-shenzhen-mous/").status_code == 410


def test_superuser_bulk_delete_leaves_addresses_of_public_releases_only(
    admin_client, client, release, make_release
):
    make_release(status=Release.Status.DRAFT, slug="a-draft")
    response = bulk_delete(admin_client, Release.objects.all())
    assert "Successfully deleted 2 releases" in response.content.decode()
    assert list(RemovedSlug.objects.values_list("slug", flat=True)) == ["singapore-shenzhen-mous"]
    assert client.get("/releases/a-draft/").status_code == 404


def test_staff_who_may_only_view_cannot_withdraw(client, django_user_model, release):
    viewer = django_user_model.objects.create_user("vera", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_release"))
    client.force_login(viewer)
    url = reverse("admin:releases_release_withdraw", args=[release.pk])
    assert client.get(url).status_code == 403
    data = {"apply": "1", "opened": f"{release.pk}:1", "reason": "issued in error"}
    assert client.post(url, data).status_code == 403
    assert Release.objects.get().status == "published"


def test_editor_withdraws_and_reinstates(client, editor, release):
    client.force_login(editor)
    url = reverse("admin:releases_release_withdraw", args=[release.pk])
    client.post(url, {"apply": "1", "opened": f"{release.pk}:1", "reason": "issued in error"})
    assert Release.objects.get().status == "withdrawn"
    url = reverse("admin:releases_release_reinstate", args=[release.pk])
    client.post(url, {"apply": "1", "opened": f"{release.pk}:2"})
    assert Release.objects.get().status == "published"
