"""Random and hostile query strings on every public URL: never a server error."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PUBLIC_URLS = [
    "/",
    "/releases/",
    "/releases/singapore-shenzhen-mous/",
    "/agencies/",
    "/agencies/imda/",
    "/programmes/smart-city-initiative/",
    "/figures/",
    "/api/releases/",
    "/api/releases/singapore-shenzhen-mous/",
    "/search/",
    "/feeds/releases.atom",
    "/releases/export.csv",
    "/releases/export.jsonl",
    "/sitemap.xml",
]
PARAMS = ["agency", "programme", "figure", "kind", "year", "from", "to", "sort", "page", "q"]
HOSTILE = [
    "",
    "\x00",
    "%00",
    "tab\tescape\x1bdelete\x7f",
    "-1",
    "0",
    "99999999999999999999",
    "'; DROP TABLE releases_release; --",
    '"unclosed',
    "(",
    "AND",
    "*",
    ":",
    "x" * 10_000,
    "深圳",
    "🙂",
    "2020-02-30",
    "../../etc/passwd",
    "<script>alert(1)</script>",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200))
queries = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.sampled_from(PUBLIC_URLS), query=queries)
def test_no_query_string_gives_a_server_error(client, release, url, query):
    cache.clear()
    response = client.get(url, data=_as_multidict(query))
    assert response.status_code < 500, (url, query, response.status_code)
    if response.streaming:  # an export fails while it streams, after its 200
        b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("param", PARAMS)
def test_each_hostile_value_on_the_listing(client, release, param, value):
    for url in ("/releases/", "/api/releases/", "/search/", "/feeds/releases.atom"):
        assert client.get(url, {param: value}).status_code in (200, 400, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/releases/%00/",
        "/agencies/%00/",
        "/agencies/深圳/",
        "/figures/" + "x" * 5000 + "/",
        "/%ff/",
    ],
)
def test_hostile_paths_are_404(client, release, path):
    assert client.get(path).status_code == 404


def _as_multidict(pairs):
    data = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data
