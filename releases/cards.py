"""Social cards: the 1200×630 picture a link preview shows (og:image).

A release with a large enough hero image gets that picture cropped to fit;
any other gets a card drawn from its title, date and issuing agencies. Text is
wrapped and shrunk to fit its box, and cut with an ellipsis at the smallest
size, so it never runs off the card. A card is drawn on its first request and
kept under a name made from everything drawn on it, so its URL changes when
the release does.
"""

import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils.formats import date_format
from PIL import Image, ImageDraw, ImageFont, ImageOps

from . import images

logger = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)
CARD_DIR = "releases/cards"
CARD_VERSION = "1"  # change when the drawing changes, so every card gets a new URL
MIN_PHOTO_WIDTH = 600  # smaller pictures would be blurred when stretched to 1200px

# Noto Sans CJK covers Latin and Chinese, Japanese and Korean; DejaVu Sans Latin only.
FONT_FILES = {
    "bold": [
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ],
    "regular": [
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ],
}
FONT_PACKAGES = "fonts-noto-cjk fonts-dejavu-core"
# Faces inside the Noto .ttc files; Simplified Chinese unless the language says otherwise.
CJK_FACES = {"ja": 0, "ko": 1, "zh-hant": 3, "zh-tw": 3, "zh-hk": 4}
SIMPLIFIED_CHINESE_FACE = 2

NAVY, NAVY_LIGHT, ORANGE = (20, 52, 94), (33, 74, 128), (224, 122, 47)
WHITE, PALE, WARM = (255, 255, 255), (214, 226, 243), (242, 184, 128)
# Boxes as (left, top, right, bottom); the bottom band and disc are drawn outside them.
BRAND_BOX = (72, 44, 1128, 104)
TITLE_BOX = (72, 128, 1128, 488)
META_BOX = (72, 508, 1128, 596)
TITLE_SIZES = (68, 60, 54, 48, 42, 38, 34)
LINE_SPACING = 1.3


# --- Fonts ----------------------------------------------------------------------------


def font_file(weight: str) -> Path | None:
    return next((path for path in FONT_FILES[weight] if path.exists()), None)


@functools.lru_cache(maxsize=64)
def load_font(weight: str, size: int, language: str = "en") -> ImageFont.FreeTypeFont:
    path = font_file(weight)
    if path is None:
        logger.error(
            "No font for social cards (looked for %s). Install the Debian packages %s; "
            "until then cards use Pillow's built-in font, which has no Chinese characters.",
            ", ".join(str(p) for p in FONT_FILES[weight]),
            FONT_PACKAGES,
        )
        return ImageFont.load_default(size)
    index = 0
    if path.suffix == ".ttc":
        index = CJK_FACES.get(language.lower(), SIMPLIFIED_CHINESE_FACE)
    return ImageFont.truetype(str(path), size, index=index)


def fonts_installed() -> bool:
    """Whether every weight has its Noto CJK font (DejaVu alone has no Chinese)."""
    return all(font_file(weight) and font_file(weight).suffix == ".ttc" for weight in FONT_FILES)


@checks.register(checks.Tags.compatibility)
def check_card_fonts(app_configs=None, **kwargs):
    if fonts_installed():
        return []
    return [
        checks.Warning(
            "The fonts for social cards are missing: titles in Chinese, Japanese or Korean "
            "(or every title, if no font is found) will not be drawn properly.",
            hint=f"apt-get install {FONT_PACKAGES} (make install does where it can).",
            id="releases.W001",
        )
    ]


# --- Wrapping text --------------------------------------------------------------------

CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
# A CJK character may end a line anywhere; other text breaks only at spaces.
TOKEN = re.compile(rf"\s+|[{CJK}]|[^\s{CJK}]+")
NO_LINE_START = set("，。、：；！？）」』】》〉”’…・")


def tokens(text: str) -> list[str]:
    found = []
    for token in TOKEN.findall(text):
        if found and token[0] in NO_LINE_START and not found[-1].isspace():
            found[-1] += token  # closing punctuation stays on the line of what it closes
        else:
            found.append(token)
    return found


def wrap(text: str, font, width: int) -> list[str]:
    """Greedy line breaking that measures with the font; over-long words are split."""
    lines, line = [], ""
    for token in tokens(" ".join(text.split())):
        if token.isspace():
            line += " " if line else ""
            continue
        if font.getlength(line + token) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        while font.getlength(token) > width:
            cut = max(1, fitting_prefix(token, font, width))
            lines.append(token[:cut])
            token = token[cut:]
        line = token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def fitting_prefix(text: str, font, width: int) -> int:
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def clamp(lines: list[str], font, width: int, max_lines: int) -> list[str]:
    """At most max_lines lines, the last ending in an ellipsis if text was cut."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and font.getlength(last.rstrip(" ,;:-–—") + "…") > width:
        last = last[:-1]
    kept[-1] = last.rstrip(" ,;:-–—") + "…"
    return kept


# --- Drawing --------------------------------------------------------------------------


@dataclass
class TextLine:
    text: str
    font: ImageFont.FreeTypeFont
    fill: tuple
    x: int
    baseline: int

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        left, top, right, bottom = self.font.getbbox(self.text, anchor="ls")
        return (self.x + left, self.baseline + top, self.x + right, self.baseline + bottom)


def place(text, box, *, weight, sizes, fill, language) -> list[TextLine]:
    """Lines of text at the largest size that fits the box, cut short at the smallest."""
    left, top, right, bottom = box
    for size in sizes:
        font = load_font(weight, size, language)
        ascent, descent = font.getmetrics()
        step = round(size * LINE_SPACING)
        capacity = max(1, (bottom - top - ascent - descent) // step + 1)
        lines = wrap(text, font, right - left)
        if len(lines) <= capacity or size == sizes[-1]:
            lines = clamp(lines, font, right - left, capacity)
            return [
                TextLine(line, font, fill, left, top + ascent + i * step)
                for i, line in enumerate(lines)
            ]
    return []


def card_lines(*, title, meta, site_name, language) -> list[TextLine]:
    return [
        *place(site_name, BRAND_BOX, weight="regular", sizes=(28,), fill=WARM, language="en"),
        *place(title, TITLE_BOX, weight="bold", sizes=TITLE_SIZES, fill=WHITE, language=language),
        *place(meta, META_BOX, weight="regular", sizes=(28,), fill=PALE, language=language),
    ]


@functools.lru_cache(maxsize=1)
def background() -> Image.Image:
    """The brand background, drawn at twice the size and reduced for smooth edges."""
    scale = 2
    image = Image.new("RGB", (CARD_SIZE[0] * scale, CARD_SIZE[1] * scale), NAVY)
    draw = ImageDraw.Draw(image)
    draw.ellipse([v * scale for v in (840, -300, 1500, 360)], fill=NAVY_LIGHT)
    draw.ellipse([v * scale for v in (1010, 380, 1330, 700)], outline=NAVY_LIGHT, width=6 * scale)
    draw.rectangle([v * scale for v in (0, 612, 1200, 630)], fill=ORANGE)
    return image.resize(CARD_SIZE, Image.Resampling.LANCZOS)


def draw_text_card(*, title, meta, site_name, language="en") -> Image.Image:
    image = background().copy()
    draw = ImageDraw.Draw(image)
    for line in card_lines(title=title, meta=meta, site_name=site_name, language=language):
        draw.text((line.x, line.baseline), line.text, font=line.font, fill=line.fill, anchor="ls")
    return image


def meta_text(release) -> str:
    agencies = ", ".join(a.acronym or a.name for a in release.agency_list)
    date = date_format(release.published_on, "j F Y")
    text = f"{date} · {agencies}" if agencies else date
    return f"Withdrawn · {text}" if release.is_withdrawn else text


def uses_photo(release) -> bool:
    # A withdrawn release's card must say so, which only the drawn card does.
    if release.is_withdrawn:
        return False
    return bool(release.hero) and release.hero_image_width >= MIN_PHOTO_WIDTH


def card_key(release) -> str:
    """A digest of everything drawn on the card: it names the file and the URL."""
    if uses_photo(release):
        parts = ["photo", release.hero.key]
    else:
        parts = ["text", release.title, meta_text(release), release.language, settings.SITE_NAME]
    return hashlib.sha256("\0".join([CARD_VERSION, *parts]).encode()).hexdigest()[:16]


def render_card(release) -> bytes:
    if uses_photo(release):
        with default_storage.open(release.hero_image.name) as file:
            photo = images.flatten(Image.open(file))
        card = ImageOps.fit(photo, CARD_SIZE, Image.Resampling.LANCZOS)
    else:
        card = draw_text_card(
            title=release.title,
            meta=meta_text(release),
            site_name=settings.SITE_NAME,
            language=release.language,
        )
    # Full-resolution colour (no chroma subsampling) keeps the edges of text sharp.
    return images.encode(card, "JPEG", quality=88, subsampling=0, optimize=True)


def card_response(release, key: str) -> HttpResponse:
    name = f"{CARD_DIR}/{key}.jpg"
    if default_storage.exists(name):
        return images.serve_stored(name, "image/jpeg")
    data = render_card(release)
    if not default_storage.exists(name):  # a parallel request may have drawn it meanwhile
        default_storage.save(name, ContentFile(data))
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = images.CACHE_FOREVER
    return response
