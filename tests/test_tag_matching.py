"""Near-duplicate tags (releases/tag_matching.py): what a typed new name is close to."""

from decimal import Decimal

import pytest

from releases.models import Agency, Figure, Programme
from releases.tag_matching import Known, TagMatcher

from .admin_pages import change_page_values, change_url, form_values

AGENCIES = [
    Known("Cyber Security Agency of Singapore (CSA)"),
    Known("Infocomm Media Development Authority", acronym="IMDA"),
    Known("Personal Data Protection Commission"),
    Known("Ministry of Communications and Information", acronym="MCI"),
    Known("Ministry of Trade and Industry", acronym="MTI"),
    Known("GovTech"),
    Known("PDPC Advisory Board"),
]


@pytest.fixture
def agencies():
    return TagMatcher(AGENCIES)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # the start of a longer name
        ("Cyber Security Agency", "Cyber Security Agency of Singapore (CSA)"),
        ("cyber-security agency", "Cyber Security Agency of Singapore (CSA)"),
        ("Ministry of Trade", "Ministry of Trade and Industry"),
        # the same words in another order
        ("Commission Personal Data Protection", "Personal Data Protection Commission"),
        # acronyms: a typed one, and a long name typed for one
        ("CSA", "Cyber Security Agency of Singapore (CSA)"),
        ("PDPC", "Personal Data Protection Commission"),
        ("MTI", "Ministry of Trade and Industry"),
        ("Cyber Security Agency", "Cyber Security Agency of Singapore (CSA)"),
        ("Ministry Communications Information", "Ministry of Communications and Information"),
        # small misspellings
        ("Infocom Media Development Authority", "Infocomm Media Development Authority"),
        ("Infocomm Media Devlopment Authorty", "Infocomm Media Development Authority"),
        ("Personal Data Protection Comission", "Personal Data Protection Commission"),
        ("GovTehc", "GovTech"),
    ],
)
def test_a_near_duplicate_is_found(agencies, typed, meant):
    assert meant in agencies.near(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "Ministry of Health",
        "The",
        "Land Transport Authority",
        "CSB",
        "Cyber Defence Authority",
    ],
)
def test_unrelated_names_are_not_suggested(agencies, typed):
    assert agencies.near(typed) == []


def test_the_start_of_a_word_is_not_the_start_of_a_name(agencies):
    assert agencies.near("Cyber Sec") == []
    assert agencies.near("Gov") == []


def test_at_most_three_suggestions_closest_kind_first():
    matcher = TagMatcher([Known(f"Smart Nation Programme {n}") for n in range(1, 6)])
    assert matcher.near("Smart Nation") == [
        "Smart Nation Programme 1",
        "Smart Nation Programme 2",
        "Smart Nation Programme 3",
    ]


FIGURES = [
    Known("8 MoUs signed", value=Decimal(8)),
    Known("10,000 enterprises", value=Decimal(10000)),
    Known("14 new joint projects", value=Decimal(14)),
]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("8 MoUs", "8 MoUs signed"),
        ("8 signed MoUs", "8 MoUs signed"),
        ("8 MoUs sigend", "8 MoUs signed"),
        ("10,000 enterprise", "10,000 enterprises"),
        ("14 joint new projects", "14 new joint projects"),
    ],
)
def test_a_near_duplicate_figure_has_the_same_number(typed, meant):
    assert meant in TagMatcher(FIGURES, figures=True).near(typed)


@pytest.mark.parametrize("typed", ["9 MoUs signed", "8 MoUs signed to date", "80 MoUs signed"])
def test_another_number_is_another_figure(typed):
    assert TagMatcher(FIGURES, figures=True).near(typed) == []


def test_a_matcher_reads_the_archive(db):
    Agency.objects.create(name="Cyber Security Agency of Singapore", slug="csa", acronym="CSA")
    Programme.objects.create(name="Smart Nation Initiative", slug="smart-nation")
    Figure.objects.create(name="8 MoUs signed", value=8, label="MoUs signed")
    Figure.objects.create(name="9 MoUs signed", value=9, label="MoUs signed")

    agencies = TagMatcher.for_tags(Agency.objects.all())
    assert agencies.near("Cyber Security Agency") == ["Cyber Security Agency of Singapore"]
    assert agencies.near("Cyber Defence Authority") == []
    programmes = TagMatcher.for_tags(Programme.objects.all())
    assert programmes.near("Smart Nation") == ["Smart Nation Initiative"]
    figures = TagMatcher.for_tags(Figure.objects.all(), names=["8 MoUs signd"])
    assert figures.near("8 MoUs signd") == ["8 MoUs signed"]


# --- Asked in the admin -----------------------------------------------------------------

CSA = "Cyber Security Agency of Singapore (CSA)"


@pytest.fixture
def csa(db):
    return Agency.objects.create(name=CSA, slug="csa")


def post_change(client, release, data):
    return client.post(change_url(release), {**data, "change_kind": "correction"})


def typed_in(client, release, **fields):
    """Type into the change form and save; the response the editor sees."""
    return post_change(client, release, {**change_page_values(client, release), **fields})


def test_a_near_duplicate_agency_is_asked_about_not_created(admin_client, release, csa):
    response = typed_in(admin_client, release, agencies="IMDA, Cyber Security Agency")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Did you mean “{CSA}”?" in page
    assert "Create a new agency “Cyber Security Agency”" in page
    assert not Agency.objects.filter(name="Cyber Security Agency").exists()
    assert [a.slug for a in release.agencies.all()] == ["imda"]


def test_saving_again_takes_the_suggestion(admin_client, release, csa):
    asked = typed_in(admin_client, release, agencies="IMDA, Cyber Security Agency")

    again = post_change(admin_client, release, form_values(asked.content.decode()))

    assert again.status_code == 302, again.content.decode()[:3000]
    assert sorted(a.slug for a in release.agencies.all()) == ["csa", "imda"]
    assert Agency.objects.count() == 2


def test_choosing_a_new_tag_creates_it(admin_client, release, csa):
    asked = form_values(
        typed_in(admin_client, release, agencies="Cyber Security Agency").content.decode()
    )
    key = next(name for name in asked if name.startswith("agencies-meant-"))

    again = post_change(admin_client, release, {**asked, key: ""})

    assert again.status_code == 302
    assert [a.name for a in release.agencies.all()] == ["Cyber Security Agency"]
    assert Agency.objects.count() == 3


def test_an_answer_that_is_not_one_of_the_choices_asks_again(admin_client, release, csa):
    asked = form_values(
        typed_in(admin_client, release, agencies="Cyber Security Agency").content.decode()
    )
    key = next(name for name in asked if name.startswith("agencies-meant-"))

    again = post_change(admin_client, release, {**asked, key: "Infocomm Media Development"})

    assert again.status_code == 200
    assert f"Did you mean “{CSA}”?" in again.content.decode()
    assert Agency.objects.count() == 2


def test_a_suggestion_is_shown_escaped(admin_client, release):
    Programme.objects.create(name="<b>Smart</b> Nation Initiative", slug="bold")

    page = typed_in(admin_client, release, programmes="<b>Smart</b> Nation").content.decode()

    assert "Did you mean “&lt;b&gt;Smart&lt;/b&gt; Nation Initiative”?" in page
    assert "<b>Smart</b>" not in page


def test_a_near_duplicate_figure_is_asked_about(admin_client, release):
    response = typed_in(admin_client, release, figures="8 MoUs")

    assert response.status_code == 200
    assert "Did you mean “8 MoUs signed”?" in response.content.decode()
    assert not Figure.objects.filter(name="8 MoUs").exists()


def test_a_new_name_close_to_nothing_is_created_without_asking(admin_client, release, csa):
    response = typed_in(admin_client, release, agencies="Land Transport Authority")

    assert response.status_code == 302
    assert [a.name for a in release.agencies.all()] == ["Land Transport Authority"]


def test_a_figure_matcher_reads_many_numbers_in_batches(db):
    Figure.objects.create(name="1200 MoUs signed", value=1200, label="MoUs signed")
    names = [f"{n} MoUs sigend" for n in range(1, 1501)]

    matcher = TagMatcher.for_tags(Figure.objects.all(), names=names)

    assert matcher.near("1200 MoUs sigend") == ["1200 MoUs signed"]
