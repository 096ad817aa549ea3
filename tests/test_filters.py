"""The listing filters, pagination and bad input, on the page and in the API."""

import datetime
import re

import pytest

from releases.models import Release


@pytest.fixture
def archive(make_release, imda, mci, smart_city, tradetrust):
    return {
        "mou": make_release(
            title="MoU with Shenzhen", published_on=datetime.date(2022, 12, 2),
            agencies=[imda, mci], programmes=[smart_city], figures=["8 MoUs signed"],
        ),
        "trade": make_release(
            title="TradeTrust pilot", published_on=datetime.date(2021, 5, 1),
            agencies=[imda], programmes=[tradetrust], kind=Release.Kind.FACTSHEET,
        ),
        "speech": make_release(
            title="Minister's speech", published_on=datetime.date(2019, 3, 1),
            agencies=[mci], kind=Release.Kind.SPEECH,
        ),
    }  # fmt: skip


def titles(client, query):
    response = client.get(f"/api/releases/?{query}")
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["MoU with Shenzhen", "TradeTrust pilot", "Minister's speech"]),
        ("agency=imda", ["MoU with Shenzhen", "TradeTrust pilot"]),
        ("agency=imda&agency=mci", ["MoU with Shenzhen"]),
        ("programme=tradetrust", ["TradeTrust pilot"]),
        ("figure=8-mous-signed", ["MoU with Shenzhen"]),
        ("kind=speech", ["Minister's speech"]),
        ("year=2021", ["TradeTrust pilot"]),
        ("from=2021-01-01", ["MoU with Shenzhen", "TradeTrust pilot"]),
        ("to=2021-05-01", ["TradeTrust pilot", "Minister's speech"]),
        ("from=2020-01-01&to=2021-12-31&agency=imda", ["TradeTrust pilot"]),
        ("agency=mci&kind=press-release", ["MoU with Shenzhen"]),
        ("sort=oldest", ["Minister's speech", "TradeTrust pilot", "MoU with Shenzhen"]),
        ("sort=title", ["Minister's speech", "MoU with Shenzhen", "TradeTrust pilot"]),
        ("agency=", ["MoU with Shenzhen", "TradeTrust pilot", "Minister's speech"]),
    ],
)
def test_filters(client, archive, query, expected):
    assert titles(client, query) == expected


def test_filters_on_the_html_page_show_removable_chips(client, archive):
    response = client.get("/releases/?agency=imda&year=2021")
    text = response.content.decode()
    assert response.status_code == 200
    assert "TradeTrust pilot" in text
    assert "MoU with Shenzhen" not in text
    assert "1 release<" in text
    assert 'href="?year=2021"' in text  # removes the agency, keeps the year
    assert 'href="?agency=imda"' in text  # removes the year


def test_filter_form_shows_the_filters_in_use(client, archive):
    text = client.get("/releases/?agency=imda&programme=tradetrust&kind=factsheet").content.decode()
    assert '<option value="imda" selected>' in text
    assert '<option value="mci">' in text
    assert '<option value="tradetrust" selected>' in text
    assert '<option value="smart-city-initiative">' in text
    assert '<option value="factsheet" selected>' in text


def test_filter_options_escape_tag_names(client, make_release):
    make_release(agencies=['Ports & "Harbours" <Board>'])
    text = client.get("/releases/").content.decode()
    assert ">Ports &amp; &quot;Harbours&quot; &lt;Board&gt;</option>" in text
    assert "<Board>" not in text


def sort_options(client, query):
    text = client.get(f"/releases/?{query}").content.decode()
    select = re.search(r'<select name="sort">(.*?)</select>', text, re.S).group(1)
    return re.findall(r'<option value="(\w+)"( selected)?>', select)


def test_sort_menu_offers_the_orders_that_fit_and_shows_the_one_in_use(client, archive):
    # A plain list is newest first; "best match" means nothing without a search.
    assert sort_options(client, "") == [("newest", " selected"), ("oldest", ""), ("title", "")]
    assert sort_options(client, "sort=title") == [
        ("newest", ""),
        ("oldest", ""),
        ("title", " selected"),
    ]
    # A search is ranked by best match and cannot be sorted by title.
    assert sort_options(client, "q=mou") == [
        ("relevance", " selected"),
        ("newest", ""),
        ("oldest", ""),
    ]
    assert sort_options(client, "q=mou&sort=oldest")[2] == ("oldest", " selected")


def test_pagination_keeps_filters(client, make_release, imda):
    for _ in range(45):
        make_release(agencies=[imda])
    make_release()  # without the agency
    first = client.get("/releases/?agency=imda").content.decode()
    assert "Page 1 of 3" in first
    assert 'href="?agency=imda&amp;page=2"' in first
    third = client.get("/releases/?agency=imda&page=3").content.decode()
    assert third.count('class="card"') == 5
    assert 'href="?agency=imda&amp;page=2"' in third


def test_api_pagination_links(client, make_release):
    for _ in range(25):
        make_release()
    data = client.get("/api/releases/?kind=press-release").json()
    assert data["count"] == 25
    assert data["previous"] is None
    assert data["next"] == "http://testserver/api/releases/?kind=press-release&page=2"
    assert len(client.get(data["next"]).json()["results"]) == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2020-13-45", "Enter a valid date"),
        ("to=yesterday", "Enter a valid date"),
        ("year=abc", "Enter a whole number"),
        ("year=99999", "less than or equal to 2999"),
        ("agency=nobody", "No agency called “nobody”"),
        ("agency=%00", "is not a valid agency"),
        ("programme=" + "x" * 10_000, "too long"),
        ("kind=poem", "Select a valid choice"),
        ("sort=random", "Select a valid choice"),
        ("from=2022-01-01&to=2021-01-01", "“from” date is after the “to” date"),
        ("kind=%00", "Select a valid choice"),
        ("year=" + "9" * 10_000, "Enter a whole number"),
    ],
)
def test_bad_filters_explain_themselves(client, archive, query, message):
    page = client.get(f"/releases/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    api = client.get(f"/api/releases/?{query}")
    assert api.status_code == 400
    assert any(message in detail for detail in api.json()["details"])


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "%00", "1.5", "9" * 5000])
def test_bad_page_numbers_are_404_with_a_message(client, archive, page):
    response = client.get(f"/releases/?page={page}")
    assert response.status_code == 404
    assert "There is no page" in response.content.decode()
    assert client.get(f"/api/releases/?page={page}").status_code == 404


def test_repeated_single_value_parameters_use_the_last(client, archive):
    assert titles(client, "kind=speech&kind=factsheet") == ["TradeTrust pilot"]


def test_too_many_tags_is_an_error(client, archive):
    query = "&".join(f"agency=a{n}" for n in range(11))
    assert client.get(f"/releases/?{query}").status_code == 400


def test_tag_page_accepts_the_same_filters(client, archive):
    text = client.get("/agencies/imda/?year=2021").content.decode()
    assert "TradeTrust pilot" in text
    assert "MoU with Shenzhen" not in text


def test_bad_filter_on_a_tag_page_explains_itself(client, archive):
    response = client.get("/agencies/imda/?year=abc")
    assert response.status_code == 400
    assert "Enter a whole number" in response.content.decode()


# --- Tags of unpublished releases ---------------------------------------------------


@pytest.fixture
def secret_tags(archive, make_release, tomorrow):
    """An agency only a draft carries, a programme and a figure only a scheduled one does."""
    make_release(agencies=["Secret Agency"], status=Release.Status.DRAFT)
    make_release(
        programmes=["Secret Programme"], figures=["99 secret widgets"], published_on=tomorrow
    )


def test_filter_menus_offer_only_tags_in_public_use(client, secret_tags):
    text = client.get("/releases/").content.decode()
    assert '<option value="imda">' in text and '<option value="tradetrust">' in text
    for url in ("/releases/", "/search/", "/agencies/imda/", "/"):
        assert "secret" not in client.get(url).content.decode().lower(), url


@pytest.mark.parametrize(
    "query", ["agency=secret-agency", "programme=secret-programme", "figure=99-secret-widgets"]
)
@pytest.mark.parametrize(
    "path",
    [
        "/releases/",
        "/search/?q=mou&",
        "/agencies/imda/",
        "/api/releases/",
        "/feeds/releases.atom",
        "/releases/export.csv",
        "/releases/export.jsonl",
    ],
)
def test_a_tag_only_unpublished_releases_carry_is_an_unknown_filter(
    client, secret_tags, path, query
):
    separator = "" if path.endswith("&") else "?"
    secret = client.get(f"{path}{separator}{query}")
    never = client.get(f"{path}{separator}{query.replace('secret', 'never')}")
    assert secret.status_code == never.status_code == 400
    assert secret.content.replace(b"secret", b"never") == never.content
    assert b"called" in secret.content  # "No agency called …", as for any unknown tag
