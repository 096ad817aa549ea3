"""Time the image pipeline and measure rendition sizes; prints Markdown tables.

    .venv/bin/python benchmarks/bench_images.py [--runs 5]

Works in a temporary MEDIA_ROOT and touches no database.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
os.environ["DJANGO_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-images-")

import django

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from releases import cards, demo_images, images  # noqa: E402

TITLE = (
    "Ministry and authority announce a comprehensive multi-year programme to support small "
    "and medium enterprises in adopting trusted digital tools across every sector"
)


def photo_like(size):
    """Smooth shapes plus grain: closer to a photograph than flat colour or pure noise."""
    spec = {"style": "circles", "palette": "sunrise", "label": "Benchmark"}
    base = demo_images.draw(spec, "benchmark").resize(size).filter(ImageFilter.GaussianBlur(3))
    grain = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(base, grain, 0.12)


def upload(image, fmt="JPEG"):
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=92)
    return buffer.getvalue()


def median_ms(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def clear_media():
    for folder in (images.MASTER_DIR, images.RENDITION_DIR):
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                default_storage.delete(f"{folder}/{name}")


def store(data):
    clear_media()  # every run does the full work: no renditions already on disk
    images.store_upload(SimpleUploadedFile("upload.jpg", data))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    rows = []
    for size in ((1600, 1200), (4000, 3000), (6000, 4000)):
        data = upload(photo_like(size))
        label = f"store upload {size[0]}×{size[1]} JPEG ({len(data) / 1e6:.1f} MB)"
        rows.append((label, *median_ms(lambda data=data: store(data), runs)))
        rows.append(
            (
                f"check only (decode) {size[0]}×{size[1]}",
                *median_ms(lambda data=data: images.open_checked(io.BytesIO(data)), runs),
            )
        )
    rows.append(
        (
            "draw text card (long title)",
            *median_ms(
                lambda: images.encode(
                    cards.draw_text_card(title=TITLE, meta="1 May 2024 · IMDA", site_name="A"),
                    "JPEG",
                    quality=88,
                    subsampling=0,
                ),
                runs,
            ),
        )
    )
    print(f"Image pipeline, median of {runs} runs (ms)\n")
    print("| step | median | min | max |")
    print("|---|---:|---:|---:|")
    for label, median, low, high in rows:
        print(f"| {label} | {median:.0f} | {low:.0f} | {high:.0f} |")

    clear_media()
    stored = images.store_upload(SimpleUploadedFile("u.jpg", upload(photo_like((4000, 3000)))))
    print("\nRendition sizes for the 4000×3000 upload (bytes)\n")
    print("| width | WebP | JPEG | WebP / JPEG |")
    print("|---:|---:|---:|---:|")
    for width in stored.widths:
        webp, jpeg = (
            default_storage.size(images.rendition_name(stored.key, width, ext))
            for ext in ("webp", "jpg")
        )
        print(f"| {width} | {webp:,} | {jpeg:,} | {webp / jpeg:.2f} |")


if __name__ == "__main__":
    main()
