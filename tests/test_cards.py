"""Social cards: drawn text stays inside the card; photos are cropped; URLs follow content."""

import io
import logging

import pytest
from django.urls import reverse
from PIL import Image, ImageChops, ImageDraw

from releases import cards
from releases.models import Release

LONG_TITLE = (
    "Ministry and authority announce a comprehensive multi-year programme to support "
    "small and medium enterprises, community organisations and public libraries in "
    "adopting trusted digital tools, secure payment systems, electronic trade documents "
    "and artificial intelligence services across every sector of the economy by 2030"
)[:300]
CHINESE_TITLE = (
    "新加坡与深圳签署八项谅解备忘录，在智慧城市倡议下推出十四个新的联合项目，"
    "包括将贸易信任试点扩展到实际贸易，并为两地企业创造更多合作机会。"
) * 5
NOTO = cards.FONT_FILES["bold"][0]
needs_noto = pytest.mark.skipif(
    not NOTO.exists(), reason=f"{NOTO} is missing: apt-get install {cards.FONT_PACKAGES}"
)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def inside(bbox, box):
    return box[0] <= bbox[0] and box[1] <= bbox[1] and bbox[2] <= box[2] and bbox[3] <= box[3]


def title_lines(title, language="en"):
    lines = cards.card_lines(title=title, meta="1 May 2024", site_name="Archive", language=language)
    return [line for line in lines if line.fill == cards.WHITE]


@pytest.mark.parametrize(
    ("title", "language"),
    [
        (LONG_TITLE, "en"),
        (CHINESE_TITLE[:300], "zh"),
        ("https://example.org/" + "x" * 280, "en"),  # one unbreakable "word"
    ],
    ids=["300 characters", "300 Chinese characters", "no spaces"],
)
def test_long_title_stays_inside_its_box(title, language):
    assert len(title) == 300
    lines = title_lines(title, language)
    assert lines
    for line in lines:
        assert inside(line.bbox, cards.TITLE_BOX), line.text
    shown, full = "".join(line.text for line in lines).replace(" ", ""), title.replace(" ", "")
    assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))


@needs_noto
def test_chinese_title_is_cut_with_an_ellipsis_and_drawn_in_a_cjk_font():
    lines = title_lines(CHINESE_TITLE, "zh")
    assert lines[-1].text.endswith("…")
    assert lines[0].font.getname()[0] == "Noto Sans CJK SC"
    assert "".join(line.text for line in lines)[:20] == CHINESE_TITLE[:20]


def test_chinese_punctuation_never_starts_a_line():
    lines = title_lines(CHINESE_TITLE, "zh")
    assert not any(line.text[0] in "，。、" for line in lines)


@pytest.mark.parametrize("title", [LONG_TITLE, CHINESE_TITLE, "Short title"])
def test_card_pixels_outside_the_text_boxes_are_only_background(title):
    card = cards.draw_text_card(
        title=title, meta="2 December 2022 · " + "Agency name, " * 30, site_name="Archive"
    )
    assert card.size == (1200, 630)
    difference = ImageChops.difference(card, cards.background()).convert("L")
    masked = ImageDraw.Draw(difference)
    for box in (cards.BRAND_BOX, cards.TITLE_BOX, cards.META_BOX):
        masked.rectangle(box, fill=0)
    assert difference.getbbox() is None


def test_missing_fonts_fall_back_with_a_clear_error(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(
        cards, "FONT_FILES", {weight: [tmp_path / "gone.ttf"] for weight in cards.FONT_FILES}
    )
    cards.load_font.cache_clear()
    try:
        with caplog.at_level(logging.ERROR, logger="releases.cards"):
            card = cards.draw_text_card(title=LONG_TITLE, meta="1 May 2024", site_name="Archive")
        [warning] = cards.check_card_fonts()
    finally:
        cards.load_font.cache_clear()
    assert card.size == (1200, 630)
    assert "fonts-noto-cjk" in caplog.text
    assert warning.id == "releases.W001" and "fonts-noto-cjk" in warning.hint


def test_card_for_a_release_without_a_picture_is_drawn(client, release):
    response = client.get(release.social_card_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    # Served from the stored file the second time.
    assert body(client.get(release.social_card_url)) == response.content


def test_card_for_a_release_with_a_picture_is_the_picture_cropped(client, pictured_release):
    response = client.get(pictured_release.social_card_url)
    card = Image.open(io.BytesIO(body(response)))
    assert card.size == (1200, 630)
    assert all(
        abs(a - b) <= 4 for a, b in zip(card.getpixel((600, 315)), (40, 110, 170), strict=True)
    )


def test_small_picture_gets_a_drawn_card(make_release, image_upload):
    release = make_release(hero_image=image_upload("PNG", (400, 300)), hero_image_alt="Small.")
    assert not cards.uses_photo(release)
    assert release.social_card_key == Release.objects.get(pk=release.pk).social_card_key


def test_card_url_follows_title_and_agencies_but_not_body(release, mci):
    key = release.social_card_key
    release.body = "A corrected body."
    release.save()
    assert Release.objects.get(pk=release.pk).social_card_key == key
    release.title = "A corrected title"
    release.save()
    assert Release.objects.get(pk=release.pk).social_card_key != key
    key = Release.objects.get(pk=release.pk).social_card_key
    release.agencies.add(mci)
    assert Release.objects.get(pk=release.pk).social_card_key != key


def test_old_card_url_redirects_to_the_current_card(client, release):
    url = reverse("releases:social_card", kwargs={"slug": release.slug, "key": "0" * 16})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == release.social_card_url


def test_no_card_for_drafts(client, make_release):
    draft = make_release(status=Release.Status.DRAFT)
    assert client.get(draft.social_card_url).status_code == 404
