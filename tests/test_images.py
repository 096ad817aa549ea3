"""Hero images: safe uploads, clean masters, renditions, markup and serving."""

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.forms import modelform_factory
from django.urls import reverse
from PIL import ExifTags, Image

from releases import images
from releases.models import Release

ImageForm = modelform_factory(
    Release,
    fields=[
        *("title", "slug", "kind", "published_on", "body", "status", "language"),
        *("hero_image", "hero_image_alt", "hero_image_caption", "hero_image_credit"),
    ],
)


def image_form(upload, alt="A blue square."):
    data = {
        "title": "Pictured release",
        "slug": "pictured",
        "kind": "press-release",
        "published_on": "2023-03-01",
        "body": "Text.",
        "status": "published",
        "language": "en",
        "hero_image_alt": alt,
    }
    return ImageForm(data, {"hero_image": upload})


def opened(name, media_root):
    image = Image.open(media_root / name)
    image.load()
    return image


def png_claiming(width, height):
    """A tiny PNG whose header promises width × height pixels: a decompression bomb."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def noise(size):
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def animated(fmt):
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return SimpleUploadedFile(f"moving.{fmt.lower()}", buffer.getvalue())


def gif():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "GIF")
    return SimpleUploadedFile("still.gif", buffer.getvalue())


def truncated_jpeg():
    buffer = io.BytesIO()
    noise((600, 400)).save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2])


def linear_rgb_profile() -> bytes:
    """An ICC profile for linear-light RGB: mid grey 128 in it is 188 in sRGB."""

    def s15(value):
        return struct.pack(">i", round(value * 65536))

    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    curve = b"curv\0\0\0\0" + struct.pack(">I", 0)  # no entries: gamma 1.0
    tags = {
        b"desc": b"desc\0\0\0\0" + struct.pack(">I", 7) + b"linear\0" + b"\0" * 79,
        b"wtpt": xyz(0.9642, 1.0, 0.8249),
        b"rXYZ": xyz(0.4361, 0.2225, 0.0139),
        b"gXYZ": xyz(0.3851, 0.7169, 0.0971),
        b"bXYZ": xyz(0.1431, 0.0606, 0.7141),
        b"rTRC": curve,
        b"gTRC": curve,
        b"bTRC": curve,
    }
    table, data = b"", b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, body in tags.items():
        body += b"\0" * (-len(body) % 4)
        table += struct.pack(">4sII", signature, offset + len(data), len(body))
        data += body
    header = (
        struct.pack(
            ">I4sI4s4s4s", offset + len(data), b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ "
        )
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28  # platform, flags, device, attributes, intent
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + data


# --- Renditions -----------------------------------------------------------------------


def test_upload_makes_renditions_at_three_widths_in_webp_and_jpeg(pictured_release, media_root):
    hero = pictured_release.hero
    assert hero.widths == [480, 960, 1600]
    for width in (480, 960, 1600):
        for ext, fmt in (("webp", "WEBP"), ("jpg", "JPEG")):
            rendition = opened(images.rendition_name(hero.key, width, ext), media_root)
            assert rendition.format == fmt
            assert rendition.size == (width, round(1200 * width / 2000))
    assert (pictured_release.hero_image_width, pictured_release.hero_image_height) == (2000, 1200)


def test_small_picture_is_never_upscaled(make_release, image_upload, media_files):
    release = make_release(hero_image=image_upload("PNG", (700, 350)), hero_image_alt="Small.")
    assert release.hero.widths == [480, 700]
    assert (release.hero.width, release.hero.height) == (700, 350)
    renditions = [f for f in media_files() if "renditions" in f]
    assert len(renditions) == 4
    assert not [f for f in renditions if "-960." in f or "-1600." in f]


def test_large_picture_is_stored_at_most_3200_pixels_wide(make_release, image_upload):
    release = make_release(hero_image=image_upload("JPEG", (4000, 2000)), hero_image_alt="Wide.")
    assert (release.hero_image_width, release.hero_image_height) == (3200, 1600)
    assert release.hero.widths == [480, 960, 1600]


def test_gps_and_all_other_metadata_are_stripped(make_release, image_upload, media_root):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Example Camera Co"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (1.0, 17.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (103.0, 51.0, 0.0),
        }
    )
    upload = image_upload("JPEG", (1200, 800), exif=exif, comment=b"shot at home")
    assert Image.open(upload).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file has GPS
    release = make_release(hero_image=upload, hero_image_alt="Picture.")

    hero = release.hero
    stored = [release.hero_image.name] + [
        images.rendition_name(hero.key, w, ext) for w in hero.widths for ext in ("webp", "jpg")
    ]
    for name in stored:
        data = (media_root / name).read_bytes()
        assert b"Exif" not in data and b"Example Camera" not in data and b"shot at home" not in data
        image = opened(name, media_root)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)


def test_exif_orientation_is_applied(make_release, media_root):
    picture = Image.new("RGB", (300, 200), "red")
    picture.paste((0, 0, 255), (150, 0, 300, 200))  # left half red, right half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, quality=95)
    release = make_release(
        hero_image=SimpleUploadedFile("phone.jpg", buffer.getvalue()), hero_image_alt="Sideways."
    )

    master = opened(release.hero_image.name, media_root)
    assert master.size == (200, 300)
    assert (release.hero_image_width, release.hero_image_height) == (200, 300)
    top, bottom = master.getpixel((100, 20)), master.getpixel((100, 280))
    assert top[0] > 200 and top[2] < 60  # red is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_colour_profile_is_converted_to_srgb(make_release, image_upload, media_root):
    upload = image_upload(
        "PNG", (600, 400), colour=(128, 128, 128), icc_profile=linear_rgb_profile()
    )
    release = make_release(hero_image=upload, hero_image_alt="Grey.")

    master = opened(release.hero_image.name, media_root)
    assert "icc_profile" not in master.info
    assert all(abs(channel - 188) <= 1 for channel in master.getpixel((10, 10)))


def test_transparency_kept_in_webp_and_flattened_on_white_in_jpeg(
    make_release, image_upload, media_root
):
    release = make_release(
        hero_image=image_upload("PNG", (600, 400), colour=(0, 0, 0, 0)), hero_image_alt="Clear."
    )
    key = release.hero.key
    assert opened(images.rendition_name(key, 480, "webp"), media_root).getpixel((5, 5))[3] == 0
    assert opened(images.rendition_name(key, 480, "jpg"), media_root).getpixel((5, 5)) == (
        255,
        255,
        255,
    )


def test_uploaded_file_name_is_never_used(make_release, image_upload, media_files):
    upload = image_upload("PNG", (600, 400), name="../../../etc/cron.d/evil.php.jpg")
    release = make_release(hero_image=upload, hero_image_alt="Blue.")
    assert release.hero_image.name == f"releases/hero/{release.hero.key}.png"
    assert not [f for f in media_files() if "evil" in f or "cron" in f]


def test_phone_jpeg_with_extra_pictures_keeps_the_main_one(make_release, media_root):
    # Phones store depth or HDR gain maps as further pictures in the file (MPO).
    main, depth = Image.new("RGB", (900, 600), "red"), Image.new("RGB", (900, 600), "black")
    buffer = io.BytesIO()
    main.save(buffer, "MPO", save_all=True, append_images=[depth])
    upload = SimpleUploadedFile("portrait.jpg", buffer.getvalue())
    release = make_release(hero_image=upload, hero_image_alt="Red.")
    master = opened(release.hero_image.name, media_root)
    assert master.format == "JPEG" and release.hero_image.name.endswith(".jpg")
    assert master.getpixel((10, 10))[0] > 240


def test_the_same_picture_twice_is_stored_once(make_release, image_upload, media_files):
    first = make_release(hero_image=image_upload(), hero_image_alt="Blue.")
    before = media_files()
    second = make_release(hero_image=image_upload(), hero_image_alt="Blue.")
    assert second.hero_image.name == first.hero_image.name
    assert media_files() == before


def test_new_picture_gets_new_urls(pictured_release, image_upload):
    old_src, old_card = pictured_release.hero.src, pictured_release.social_card_url
    pictured_release.hero_image = image_upload(colour=(200, 30, 30))
    pictured_release.save()
    assert pictured_release.hero.src != old_src
    assert pictured_release.social_card_url != old_card


def test_removing_the_picture_clears_its_bookkeeping(pictured_release, client):
    pictured_release.hero_image = None
    pictured_release.save()
    pictured_release.refresh_from_db()
    assert pictured_release.hero is None
    assert pictured_release.hero_renditions == {}
    assert pictured_release.hero_image_width is None
    assert "<picture" not in client.get(pictured_release.get_absolute_url()).content.decode()


# --- Refused uploads -------------------------------------------------------------------


BAD_UPLOADS = {
    "not an image": (
        lambda: SimpleUploadedFile("notes.jpg", b"<html>not a picture</html>"),
        "Upload a JPEG, PNG or WebP image",
    ),
    "gif": (gif, "Upload a JPEG, PNG or WebP image"),
    "truncated": (truncated_jpeg, "damaged or incomplete"),
    "bomb": (
        lambda: SimpleUploadedFile("huge.png", png_claiming(30_000, 30_000)),
        "too many pixels",
    ),
    "animated png": (lambda: animated("PNG"), "Animated images are not accepted"),
    "animated webp": (lambda: animated("WEBP"), "Animated images are not accepted"),
    "over 20 MB": (
        lambda: SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (21 * 1024 * 1024)),
        "images may be at most 20.0\xa0MB",
    ),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_upload_is_refused_and_nothing_is_stored(db, case, media_files):
    make_upload, message = BAD_UPLOADS[case]
    form = image_form(make_upload())
    assert not form.is_valid()
    assert message in " ".join(form.errors["hero_image"])
    assert not Release.objects.exists()
    assert media_files() == []


def test_bomb_between_the_pixel_limit_and_twice_it_is_refused(db, image_upload, monkeypatch):
    # Pillow only warns (does not fail) until twice MAX_IMAGE_PIXELS.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    form = image_form(image_upload("PNG", (400, 300)))
    assert not form.is_valid()
    assert "too many pixels" in form.errors["hero_image"][0]


def test_saving_a_bad_file_without_a_form_stores_nothing(make_release, media_files):
    with pytest.raises(ValidationError):
        make_release(hero_image=gif(), hero_image_alt="Red.")
    assert not Release.objects.exists()
    assert media_files() == []


def test_good_upload_through_the_form_is_stored(db, image_upload, media_files):
    form = image_form(image_upload("WEBP", (1000, 500), name="photo.bin"))
    assert form.is_valid(), form.errors
    release = form.save()
    assert release.hero_image.name.endswith(".webp")
    assert release.hero.widths == [480, 960, 1000]
    assert len(media_files()) == 1 + 3 * 2


def test_alt_text_is_required_with_an_image(db, image_upload, media_files):
    form = image_form(image_upload(), alt="   ")
    assert not form.is_valid()
    assert "alt text is required" in form.errors["hero_image_alt"][0]
    assert not Release.objects.exists()
    assert media_files() == []


def test_alt_text_is_not_required_without_an_image(db):
    form = image_form(None, alt="")
    assert form.is_valid(), form.errors


def test_admin_upload_and_refusal(admin_client, image_upload, gif_upload_data, media_files):
    url = reverse("admin:releases_release_add")
    refused = admin_client.post(url, {**gif_upload_data, "hero_image": gif()})
    assert refused.status_code == 200
    assert "Upload a JPEG, PNG or WebP image" in refused.content.decode()
    assert not Release.objects.exists() and media_files() == []

    accepted = admin_client.post(url, {**gif_upload_data, "hero_image": image_upload()})
    assert accepted.status_code == 302
    release = Release.objects.get()
    assert release.hero.widths == [480, 960, 1600]


@pytest.fixture
def gif_upload_data():
    return {
        "title": "Release with a picture",
        "slug": "with-picture",
        "kind": "press-release",
        "body": "Text.",
        "status": "published",
        "published_on": "2023-01-05",
        "language": "en",
        "hero_image_alt": "A blue rectangle.",
    }


# --- Pages and serving -----------------------------------------------------------------


def test_detail_page_shows_picture_with_srcset_size_alt_and_caption(client, pictured_release):
    text = client.get(pictured_release.get_absolute_url()).content.decode()
    hero = pictured_release.hero
    assert '<source type="image/webp"' in text
    assert f"{hero.url(480, 'webp')} 480w" in text and f"{hero.url(1600, 'jpg')} 1600w" in text
    assert 'width="1600" height="960"' in text
    assert 'alt="Two officials shake hands in front of a blue banner."' in text
    assert 'fetchpriority="high"' in text and 'loading="lazy"' not in text
    assert "The signing ceremony." in text and "Image: Archive staff" in text


def test_listing_thumbnails_lazy_load_below_the_fold(
    client, make_release, image_upload, django_assert_max_num_queries
):
    make_release(title="No picture here")  # the oldest: last in the list
    for n in range(4):
        make_release(hero_image=image_upload(), hero_image_alt=f"Picture {n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("releases:list"))
    text = response.content.decode()
    assert text.count("<picture") == 4
    assert text.count('loading="lazy"') == 2  # the first two cards are above the fold
    assert "No picture here" in text


def test_pages_without_pictures_render_cleanly(client, release):
    for url in (release.get_absolute_url(), reverse("releases:list"), reverse("releases:home")):
        response = client.get(url)
        assert response.status_code == 200
        assert "<picture" not in response.content.decode()


def test_stale_bookkeeping_shows_no_broken_picture(client, pictured_release):
    Release.objects.filter(pk=pictured_release.pk).update(hero_image="releases/hero/other.jpg")
    response = client.get(pictured_release.get_absolute_url())
    assert response.status_code == 200
    assert "<picture" not in response.content.decode()


def test_rendition_is_served_with_a_long_cache_lifetime(client, pictured_release):
    response = client.get(pictured_release.hero.url(960, "webp"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (960, 576)


def test_unknown_rendition_is_404(client, db):
    assert client.get("/images/0123456789abcdef-480.webp").status_code == 404
    assert client.get("/images/not-a-key-480.webp").status_code == 404


# --- make_renditions ---------------------------------------------------------------------


def test_make_renditions_repairs_missing_files(pictured_release, media_root):
    missing = media_root / images.rendition_name(pictured_release.hero.key, 960, "jpg")
    missing.unlink()
    call_command("make_renditions", stdout=io.StringIO())
    assert Image.open(missing).size == (960, 576)


def test_make_renditions_adopts_an_imported_file(make_release, media_root, image_upload, client):
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    exif[ExifTags.Base.Orientation] = 6
    imported = media_root / "releases/hero/import/site-visit.jpg"
    imported.parent.mkdir(parents=True)
    imported.write_bytes(image_upload("JPEG", (1200, 800), exif=exif).read())
    release = make_release(hero_image_alt="A site visit.")
    Release.objects.filter(pk=release.pk).update(hero_image="releases/hero/import/site-visit.jpg")

    call_command("make_renditions", stdout=io.StringIO())
    release.refresh_from_db()
    assert (release.hero_image_width, release.hero_image_height) == (800, 1200)
    assert not Image.open(imported).getexif()
    assert "<picture" in client.get(release.get_absolute_url()).content.decode()

    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert "0 updated" in out.getvalue()


def test_make_renditions_names_a_missing_file(make_release):
    release = make_release(hero_image_alt="Gone.")
    Release.objects.filter(pk=release.pk).update(hero_image="releases/hero/gone.jpg")
    with pytest.raises(CommandError):
        call_command("make_renditions", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert f"{release.slug}: file releases/hero/gone.jpg is missing" in err.getvalue()
