"""A release whose slug changes keeps its old address working by a 301."""

import pytest

from releases.models import Release, ReleaseSlug


def rename(release, slug):
    release = Release.objects.get(pk=release.pk)
    release.slug = slug
    release.save()
    return release


def test_old_slug_redirects_permanently_to_the_new_one(client, release):
    rename(release, "sign-eight-mous")
    response = client.get("/releases/singapore-shenzhen-mous/")
    assert response.status_code == 301
    assert response["Location"] == "/releases/sign-eight-mous/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("suffix", ["cite.bib", "cite.ris"])
def test_old_slug_of_a_citation_file_redirects_to_the_same_file(client, release, suffix):
    rename(release, "sign-eight-mous")
    response = client.get(f"/releases/singapore-shenzhen-mous/{suffix}")
    assert response.status_code == 301
    assert response["Location"] == f"/releases/sign-eight-mous/{suffix}"


def test_every_earlier_slug_redirects_to_the_current_one(client, release):
    release = rename(release, "second")
    rename(release, "third")
    for old in ("singapore-shenzhen-mous", "second"):
        assert client.get(f"/releases/{old}/")["Location"] == "/releases/third/"


def test_going_back_to_an_old_slug_forgets_it(client, release):
    release = rename(release, "second")
    rename(release, "singapore-shenzhen-mous")
    assert list(ReleaseSlug.objects.values_list("slug", flat=True)) == ["second"]
    assert client.get("/releases/singapore-shenzhen-mous/").status_code == 200
    assert client.get("/releases/second/")["Location"] == "/releases/singapore-shenzhen-mous/"


def test_a_current_slug_wins_over_an_old_one(client, release, make_release):
    rename(release, "second")
    newcomer = make_release(title="Newcomer", slug="singapore-shenzhen-mous")
    response = client.get("/releases/singapore-shenzhen-mous/")
    assert response.status_code == 200
    assert "Newcomer" in response.content.decode()
    assert newcomer.old_slugs.count() == 0


def test_old_slug_of_a_draft_is_404_for_the_public(client, release, admin_client):
    release = rename(release, "second")
    release.status = Release.Status.DRAFT
    release.save()
    assert client.get("/releases/singapore-shenzhen-mous/").status_code == 404
    assert admin_client.get("/releases/singapore-shenzhen-mous/").status_code == 301


def test_saving_without_changing_the_slug_records_nothing(release):
    release.title = "Retitled"
    release.save()
    Release.objects.get(pk=release.pk).save()
    assert ReleaseSlug.objects.count() == 0


def test_renaming_in_the_admin_keeps_the_old_address(admin_client, release):
    url = f"/admin/releases/release/{release.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("hero_image",)
    }
    data.update(
        slug="renamed-in-admin",
        agencies="Infocomm Media Development Authority",
        programmes="Singapore-China (Shenzhen) Smart City Initiative",
        figures="8 MoUs signed",
        published_on="2022-12-02",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client_location(admin_client, "/releases/singapore-shenzhen-mous/") == (
        "/releases/renamed-in-admin/"
    )


def client_location(client, url):
    response = client.get(url)
    assert response.status_code == 301
    return response["Location"]
