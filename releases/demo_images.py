"""Abstract pictures for the demo releases, drawn with Pillow (no photographs).

A drawing is described in fixtures/source/*.jsonl by a style, a palette and a
short label; the same description writes the picture's alt text, so the two
always agree. Drawing is seeded by the release slug and repeats exactly.
"""

import math
import random

from PIL import Image, ImageDraw

from .cards import load_font

SIZE = (1920, 1080)
SCALE = 2  # drawn at twice the size and reduced, for smooth edges
CREDIT = "Illustration generated for this archive; not a photograph"

# name -> (words for the alt text, background, three shape colours)
PALETTES = {
    "harbour": (
        "teal, sand and sky blue on navy",
        (16, 42, 77),
        [(38, 150, 150), (233, 208, 160), (120, 170, 220)],
    ),
    "garden": (
        "greens on cream",
        (242, 240, 228),
        [(56, 128, 74), (164, 196, 84), (28, 72, 52)],
    ),
    "sunrise": (
        "orange, pink and gold on deep purple",
        (48, 30, 72),
        [(240, 132, 60), (232, 90, 120), (250, 200, 90)],
    ),
    "civic": (
        "blue, red and slate grey on pale grey",
        (236, 239, 243),
        [(29, 78, 137), (196, 52, 52), (90, 100, 115)],
    ),
}
STYLES = {
    "circles": "overlapping translucent circles",
    "bars": "a rising bar chart",
    "network": "dots joined by lines like a network",
    "waves": "layered waves",
    "grid": "a grid of rounded tiles",
}


def describe(spec: dict) -> str:
    """Alt text for a drawing."""
    colours = PALETTES[spec["palette"]][0]
    return (
        f"Abstract illustration: {STYLES[spec['style']]} in {colours}, "
        f"with the words “{spec['label']}”."
    )


def draw(spec: dict, seed: str) -> Image.Image:
    _words, background, colours = PALETTES[spec["palette"]]
    width, height = SIZE[0] * SCALE, SIZE[1] * SCALE
    image = Image.new("RGB", (width, height), background)
    canvas = ImageDraw.Draw(image, "RGBA")  # RGBA fills blend onto the RGB picture
    rng = random.Random(seed)
    DRAWINGS[spec["style"]](canvas, rng, colours, width, height)
    draw_label(canvas, spec["label"], background, width, height)
    return image.resize(SIZE, Image.Resampling.LANCZOS)


def draw_circles(canvas, rng, colours, width, height):
    for i in range(14):
        r = rng.randint(height // 10, height // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        canvas.ellipse((x - r, y - r, x + r, y + r), fill=(*colours[i % 3], 150))


def draw_bars(canvas, rng, colours, width, height):
    count, gap = 9, width // 60
    bar = (width - gap * (count + 1)) // count
    base = height - height // 8
    for i in range(count):
        rise = (i + 1) / count * 0.7 + rng.uniform(-0.06, 0.06)
        left = gap + i * (bar + gap)
        top = base - int(height * rise)
        colour = colours[i % 3]
        canvas.rounded_rectangle((left, top, left + bar, base), radius=bar // 6, fill=colour)
    canvas.rectangle((0, base, width, base + height // 80), fill=colours[2])


def draw_network(canvas, rng, colours, width, height):
    nodes = [(rng.randint(80, width - 80), rng.randint(80, height - 80)) for _ in range(26)]
    for x, y in nodes:
        nearest = sorted(nodes, key=lambda n: math.dist(n, (x, y)))[1:3]
        for other in nearest:
            canvas.line(((x, y), other), fill=(*colours[2], 200), width=10)
    for i, (x, y) in enumerate(nodes):
        r = rng.randint(30, 70)
        canvas.ellipse((x - r, y - r, x + r, y + r), fill=colours[i % 2])


def draw_waves(canvas, rng, colours, width, height):
    for i in range(5):
        base = height * (0.3 + i * 0.14)
        amplitude = rng.uniform(0.03, 0.08) * height
        frequency = rng.uniform(1.0, 2.5) * math.tau / width
        phase = rng.uniform(0, math.tau)
        crest = [
            (x, base + amplitude * math.sin(x * frequency + phase))
            for x in range(0, width + 40, 40)
        ]
        canvas.polygon([*crest, (width, height), (0, height)], fill=(*colours[i % 3], 190))


def draw_grid(canvas, rng, colours, width, height):
    columns, rows, gap = 12, 7, width // 80
    side = min((width - gap) // columns, (height - gap) // rows) - gap
    for row in range(rows):
        for column in range(columns):
            if rng.random() < 0.15:
                continue  # a few gaps keep the grid from looking like a table
            x, y = gap + column * (side + gap), gap + row * (side + gap)
            colour = (*colours[rng.randrange(3)], rng.choice((255, 200, 140)))
            canvas.rounded_rectangle((x, y, x + side, y + side), radius=side // 5, fill=colour)


DRAWINGS = {
    "circles": draw_circles,
    "bars": draw_bars,
    "network": draw_network,
    "waves": draw_waves,
    "grid": draw_grid,
}


def draw_label(canvas, label, background, width, height):
    font = load_font("bold", height // 14)
    dark = sum(background) < 384
    left, top, right, bottom = canvas.textbbox((0, 0), label, font=font, anchor="ls")
    padding = height // 40
    x, y = width // 10, height - height // 12  # inside a 3:2 crop of the 16:9 picture
    canvas.rounded_rectangle(
        (x + left - padding, y + top - padding, x + right + padding, y + bottom + padding),
        radius=padding,
        fill=(*background, 215),
    )
    ink = (255, 255, 255) if dark else (20, 24, 30)
    canvas.text((x, y), label, font=font, fill=ink, anchor="ls")
