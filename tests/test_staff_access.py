"""Who may do what in the admin, and throttled logins."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.urls import reverse

from releases.admin_forms import ADDRESS_FAILURE_LIMIT, LOGIN_FAILURE_LIMIT


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
