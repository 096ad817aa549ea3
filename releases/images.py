"""Hero images: upload checks, clean masters and responsive renditions.

An upload is accepted only if Pillow decodes it completely as a still JPEG, PNG
or WebP within the size limits. What is stored is never the uploaded bytes:
the picture is turned upright (EXIF orientation), converted to sRGB and
re-encoded without any metadata, under a name made from its content. The
renditions are made from that clean master once, when it is stored, and are
named by the same content key, so their URLs change whenever the picture does
and can be cached for ever.
"""

import hashlib
import io
import math
import warnings
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from PIL import Image, ImageCms, ImageOps

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RENDITION_WIDTHS = (480, 960, 1600)
# Masters are kept at twice the widest rendition at most: enough for any screen or card,
# and a 50-megapixel upload need not be held in memory at full size.
MASTER_MAX_SIDE = 3200
# Extension -> (Pillow format, MIME type, encoder options). WebP first: <picture> tries in order.
RENDITION_FORMATS = {
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True}),
}
MASTER_OPTIONS = {
    "JPEG": {"quality": 92, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 92, "method": 4},
}
MASTER_DIR = "releases/hero"
RENDITION_DIR = "releases/renditions"
CACHE_FOREVER = "public, max-age=31536000, immutable"
METADATA_KEYS = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


# --- Checking an upload --------------------------------------------------------------


def open_checked(file) -> Image.Image:
    """Decode `file` fully, or raise a ValidationError that tells the editor what is wrong."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s.",
            code="too_big",
            params={"size": filesizeformat(size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except Exception:
        # Every other failure means the same to an editor: not an image we accept.
        raise ValidationError(
            "Upload a JPEG, PNG or WebP image. This file is not one, or it is damaged.",
            code="invalid_image",
        ) from None
    if Image.MAX_IMAGE_PIXELS and image.width * image.height > Image.MAX_IMAGE_PIXELS:
        raise too_many_pixels()
    # Phones put depth maps and HDR gain maps in a JPEG as extra pictures (MPO): not animation.
    if getattr(image, "is_animated", False) and image.format != "MPO":
        raise ValidationError(
            "Animated images are not accepted. Upload a still JPEG, PNG or WebP image.",
            code="animated",
        )
    ratio = MASTER_MAX_SIDE / max(image.size)
    if source_format(image) == "JPEG" and ratio < 1:
        # Let the decoder scale down by a power of two (never below the master size)
        # while it decodes: a quarter or less of the memory for a large photograph.
        image.draft(None, (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
    try:
        # A header can promise more than the file holds: decode every pixel now.
        image.load()
    except Exception:
        raise ValidationError(
            "This image is damaged or incomplete: it could not be read to the end. "
            "Export it again and upload the new file.",
            code="truncated",
        ) from None
    return image


def source_format(image: Image.Image) -> str:
    """JPEG, PNG or WEBP; an MPO is a JPEG whose first picture is the one shown."""
    return "JPEG" if image.format == "MPO" else image.format


def too_many_pixels():
    return ValidationError(
        "This image has too many pixels to process safely (the limit is %(limit)s "
        "million). Resize it and upload it again.",
        code="too_many_pixels",
        params={"limit": Image.MAX_IMAGE_PIXELS // 1_000_000},
    )


def checked_image(file) -> Image.Image:
    """The decoded image for an upload, decoding it only once per upload."""
    image = getattr(file, "checked_image", None)
    if image is None:
        image = open_checked(file)
        file.checked_image = image
    return image


def validate_hero_image(value):
    """Model validator: check a newly assigned file; a stored one was checked when stored."""
    if value and not value._committed:
        checked_image(value.file)


class HeroImageFormField(forms.ImageField):
    default_validators = []  # the content decides, not the file name's extension
    default_error_messages = {
        "invalid_image": "Upload a JPEG, PNG or WebP image. This file is not one, or it is damaged."
    }

    def to_python(self, data):
        # Skip forms.ImageField's looser check (any Pillow format, no full decode).
        file = forms.FileField.to_python(self, data)
        if file is not None:
            file.content_type = Image.MIME[source_format(checked_image(file))]
            file.seek(0)
        return file

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs["accept"] = "image/jpeg,image/png,image/webp"
        return attrs


class HeroImageField(models.ImageField):
    """An ImageField that accepts files by decoding them, never by their name."""

    default_validators = [validate_hero_image]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": HeroImageFormField, **kwargs})


# --- Clean masters and renditions ----------------------------------------------------


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def sanitise(image: Image.Image) -> Image.Image:
    """Upright, sRGB, RGB or RGBA, at most MASTER_MAX_SIDE, and carrying no metadata at all."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        upright = image  # Unreadable EXIF: keep the pixels as stored; it is dropped anyway.
    mode = "RGBA" if has_alpha(image) else "RGB"
    icc = image.info.get("icc_profile")
    converted = None
    if icc:
        try:
            if upright.mode not in ("RGB", "RGBA", "CMYK", "L"):
                upright = upright.convert(mode)
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(upright, profile, SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # A broken profile: treat the pixels as sRGB already.
    if converted is None:
        converted = upright.convert(mode)
    if max(converted.size) > MASTER_MAX_SIDE:
        converted.thumbnail((MASTER_MAX_SIDE, MASTER_MAX_SIDE), Image.Resampling.LANCZOS)
    # Rebuilding from raw pixels leaves every EXIF, XMP, ICC and text chunk behind.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def has_metadata(image: Image.Image) -> bool:
    if any(key in image.info for key in METADATA_KEYS) or getattr(image, "text", None):
        return True
    try:
        return bool(image.getexif())
    except Exception:
        return True


def flatten(image: Image.Image) -> Image.Image:
    """RGB on white, for formats without transparency."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    if fmt == "JPEG":
        image = flatten(image)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def rendition_widths(width: int) -> list[int]:
    """The standard widths, never wider than the master: 700px gives [480, 700]."""
    return sorted({min(w, width) for w in RENDITION_WIDTHS})


def rendition_name(key: str, width: int, ext: str) -> str:
    return f"{RENDITION_DIR}/{key}-{width}.{ext}"


def write_renditions(image: Image.Image, key: str, *, force=False) -> list[int]:
    """Write every missing rendition of a clean master; return the widths."""
    widths = rendition_widths(image.width)
    source = image
    for width in reversed(widths):  # largest first, each made from the one before
        height = max(1, round(image.height * width / image.width))
        if width != source.width:
            source = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for ext, (fmt, _mime, options) in RENDITION_FORMATS.items():
            name = rendition_name(key, width, ext)
            if force and default_storage.exists(name):
                default_storage.delete(name)
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(encode(source, fmt, **options)))
    return widths


@dataclass
class StoredImage:
    name: str
    key: str
    width: int
    height: int
    widths: list[int]

    @property
    def bookkeeping(self) -> dict:
        return {"source": self.name, "key": self.key, "widths": self.widths}


def store_upload(file) -> StoredImage:
    """Check, clean and store an uploaded picture with its renditions."""
    image = checked_image(file)
    fmt = source_format(image)
    clean = sanitise(image)
    data = encode(clean, fmt, **MASTER_OPTIONS[fmt])
    key = content_key(data)
    # The name comes from the content, never from the uploaded file's name.
    name = f"{MASTER_DIR}/{key}.{ACCEPTED_FORMATS[fmt]}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    widths = write_renditions(clean, key)
    return StoredImage(name, key, clean.width, clean.height, widths)


def refresh_stored(name: str, bookkeeping: dict, *, force=False) -> StoredImage:
    """Make sure a stored master is clean and has every rendition (for repair and imports)."""
    with default_storage.open(name) as file:
        data = file.read()
    key = content_key(data)
    widths = bookkeeping.get("widths") or []
    done = bookkeeping == {"source": name, "key": key, "widths": widths} and all(
        default_storage.exists(rendition_name(key, w, ext))
        for w in widths
        for ext in RENDITION_FORMATS
    )
    with Image.open(io.BytesIO(data)) as header:  # reads the header only
        stored_size = header.size
    if done and not force:
        return StoredImage(name, key, *stored_size, widths)
    image = open_checked(ContentFile(data, name=name))
    clean = sanitise(image)
    if has_metadata(image) or clean.size != stored_size:
        # An imported file may carry GPS positions or a rotation flag: clean it in place.
        fmt = source_format(image)
        data = encode(clean, fmt, **MASTER_OPTIONS[fmt])
        key = content_key(data)
        default_storage.delete(name)
        name = default_storage.save(name, ContentFile(data))
    widths = write_renditions(clean, key, force=force)
    return StoredImage(name, key, clean.width, clean.height, widths)


def refresh_release(release, *, force=False) -> bool:
    """Bring one release's stored picture and bookkeeping up to date; True if anything changed.

    Uses update(), not save(): repairing pictures is not an edit of the release.
    """
    if release.hero_image:
        stored = refresh_stored(release.hero_image.name, release.hero_renditions or {}, force=force)
        fields = {
            "hero_image": stored.name,
            "hero_image_width": stored.width,
            "hero_image_height": stored.height,
            "hero_renditions": stored.bookkeeping,
        }
    else:
        fields = {"hero_image_width": None, "hero_image_height": None, "hero_renditions": {}}
    current = {field: getattr(release, field) for field in fields}
    current["hero_image"] = release.hero_image.name
    changed = {field: value for field, value in fields.items() if current[field] != value}
    if changed:
        type(release).objects.filter(pk=release.pk).update(**changed)
    return bool(changed) or force


def prepare_hero(release) -> None:
    """Called by Release.save(): store a newly assigned picture, or forget a removed one."""
    field = release.hero_image
    if not field:
        release.hero_image_width = release.hero_image_height = None
        release.hero_renditions = {}
        return
    if field._committed:
        return
    stored = store_upload(field.file)
    release.hero_image = stored.name
    release.hero_image_width, release.hero_image_height = stored.width, stored.height
    release.hero_renditions = stored.bookkeeping


# --- What templates use ---------------------------------------------------------------


@dataclass
class HeroImage:
    """A stored picture as the templates need it: srcsets, fallback, size and alt text."""

    key: str
    widths: list[int]
    width: int  # of the largest rendition, for the width/height attributes
    height: int
    alt: str

    @classmethod
    def for_release(cls, release) -> "HeroImage | None":
        book = release.hero_renditions or {}
        # Bookkeeping made for another file (a fixture reloaded, a field changed by
        # update()) would point at renditions that were never made for this picture.
        if not release.hero_image or book.get("source") != release.hero_image.name:
            return None
        if not book.get("widths") or not release.hero_image_width:
            return None
        largest = book["widths"][-1]
        height = round(release.hero_image_height * largest / release.hero_image_width)
        return cls(book["key"], book["widths"], largest, max(1, height), release.hero_image_alt)

    def url(self, width: int, ext: str) -> str:
        return reverse(
            "releases:hero_rendition", kwargs={"key": self.key, "width": width, "ext": ext}
        )

    def srcset(self, ext: str) -> str:
        return ", ".join(f"{self.url(w, ext)} {w}w" for w in self.widths)

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def jpeg_srcset(self) -> str:
        return self.srcset("jpg")

    @property
    def src(self) -> str:
        """The fallback for browsers without srcset: the middle width."""
        return self.url(self.widths[len(self.widths) // 2], "jpg")


def serve_stored(name: str, content_type: str) -> FileResponse:
    """A stored derived image with headers that let browsers and CDNs keep it for ever."""
    if not default_storage.exists(name):
        raise Http404("No such image.")
    response = FileResponse(default_storage.open(name), content_type=content_type)
    response["Cache-Control"] = CACHE_FOREVER
    return response


def rendition_response(key: str, width: int, ext: str) -> FileResponse:
    return serve_stored(rendition_name(key, width, ext), RENDITION_FORMATS[ext][1])
