"""Metadata for crawlers and link previews, and the share and print touches of a release."""

import html
import json
import re
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.test import RequestFactory


def meta(page: str, key: str) -> str:
    """The content of <meta property=key> or <meta name=key>."""
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    assert match, f"no {key} meta tag"
    return match.group(1)


def canonical(page: str) -> str:
    return html.unescape(re.search(r'<link rel="canonical" href="([^"]*)">', page).group(1))


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_release_page_metadata(client, release):
    page = client.get(f"{release.get_absolute_url()}?utm_source=newsletter").content.decode()
    permalink = "http://testserver/releases/singapore-shenzhen-mous/"
    assert "<title>Singapore and Shenzhen sign eight MoUs · Press Release Archive</title>" in page
    assert meta(page, "description") == "Eight memoranda signed at the third committee meeting."
    assert canonical(page) == permalink
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "Singapore and Shenzhen sign eight MoUs"
    assert meta(page, "og:url") == permalink
    assert meta(page, "og:site_name") == "Press Release Archive"
    assert meta(page, "twitter:card") == "summary_large_image"  # every release has a card
    assert meta(page, "twitter:description") == meta(page, "og:description")
    assert meta(page, "article:published_time") == "2022-12-02"
    assert 'name="robots"' not in page


def test_release_page_news_article_json_ld(client, release):
    data = json_ld(client.get(release.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Singapore and Shenzhen sign eight MoUs"
    assert data["datePublished"] == "2022-12-02"
    assert data["dateModified"].startswith(release.updated_at.isoformat()[:19])
    assert data["publisher"]["name"] == "Press Release Archive"
    assert data["author"] == [
        {
            "@type": "Organization",
            "name": "Infocomm Media Development Authority",
            "url": "http://testserver/agencies/imda/",
        }
    ]
    assert [thing["name"] for thing in data["about"]] == [
        "Singapore-China (Shenzhen) Smart City Initiative"
    ]


def test_json_ld_cannot_be_broken_out_of(client, make_release):
    release = make_release(title="</script><script>alert(1)</script> & co")
    page = client.get(release.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "\\u003C/script\\u003E" in page
    assert json_ld(page)["headline"] == "</script><script>alert(1)</script> & co"


def test_social_card_feeds_link_previews(client, make_release):
    release = make_release(title="Card test")
    page = client.get(release.get_absolute_url()).content.decode()
    card = f"http://testserver{release.social_card_url}"
    assert meta(page, "og:image") == card
    assert meta(page, "og:image:width") == "1200"
    assert meta(page, "og:image:alt") == "Card test"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert json_ld(page)["image"] == [card]
    assert client.get(release.social_card_url)["Content-Type"] == "image/jpeg"


def test_paginated_list_is_canonical_to_itself(client, make_release, settings):
    for _ in range(settings.RELEASES_PER_PAGE + 1):
        make_release()
    page_two = client.get("/releases/?page=2&utm_campaign=x").content.decode()
    assert canonical(page_two) == "http://testserver/releases/?page=2"
    page_one = client.get("/releases/?page=1").content.decode()
    assert canonical(page_one) == "http://testserver/releases/"


def test_filtered_list_is_canonical_to_its_filters_and_not_indexed(client, release):
    page = client.get("/releases/?year=2022&fbclid=abc&agency=imda").content.decode()
    assert canonical(page) == "http://testserver/releases/?agency=imda&year=2022"
    assert '<meta name="robots" content="noindex, follow">' in page
    assert 'name="robots"' not in client.get("/releases/").content.decode()


def test_tag_page_metadata(client, release):
    page = client.get("/agencies/imda/").content.decode()
    assert meta(page, "description") == (
        "Press releases issued by Infocomm Media Development Authority."
    )
    assert meta(page, "og:title") == "Infocomm Media Development Authority"
    assert canonical(page) == "http://testserver/agencies/imda/"


def test_base_template_lets_a_page_opt_out_of_indexing(rf: RequestFactory, db):
    """The search page fills the robots block; any page extending base.html can."""
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block robots %}'
        '<meta name="robots" content="noindex, follow">{% endblock %}'
    )
    page = template.render({}, rf.get("/search/?q=mou"))
    assert '<meta name="robots" content="noindex, follow">' in page
    assert canonical(page) == "http://testserver/search/?q=mou"


def test_release_page_has_a_copy_link_button_and_print_line(client, release):
    page = client.get(release.get_absolute_url()).content.decode()
    permalink = "http://testserver/releases/singapore-shenzhen-mous/"
    # Hidden until the script finds a clipboard; the link stays selectable without it.
    assert f'data-copy-text="{permalink}" hidden>Copy link</button>' in page
    assert '<script src="/static/js/share.js" defer></script>' in page
    assert f'<p class="print-only">{permalink}</p>' in page
    assert (Path(settings.BASE_DIR) / "static" / "js" / "share.js").exists()
    assert "mailto:?subject=Singapore%20and%20Shenzhen" in page
    assert "http%3A%2F%2Ftestserver%2Freleases%2Fsingapore-shenzhen-mous%2F" in page


def test_drafts_shown_to_staff_are_not_indexed(admin_client, make_release):
    draft = make_release(status="draft")
    page = admin_client.get(draft.get_absolute_url()).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
