"""Synthetic releases in the import format, for benchmarks (not fixtures: not real text)."""

import json
import random

WORDS = (
    "agency", "authority", "board", "budget", "business", "capability", "city", "cloud",
    "committee", "community", "connectivity", "cooperation", "council", "cross-border", "data",
    "development", "digital", "economy", "enterprise", "exchange", "framework", "government",
    "grant", "growth", "industry", "infrastructure", "innovation", "investment", "joint",
    "launch", "ministry", "network", "partnership", "pilot", "platform", "policy", "programme",
    "project", "public", "research", "resilience", "scheme", "sector", "security", "service",
    "skills", "smart", "standard", "startup", "support", "sustainability", "talent",
    "technology", "trade", "training", "trial", "workforce",
)  # fmt: skip
KINDS = ["press-release"] * 6 + ["factsheet", "speech", "media-advisory"]


def sentence(rng: random.Random, low=8, high=20) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))


def body(rng: random.Random) -> str:
    """About 1.5 kB of Markdown: paragraphs, a heading, a list, some emphasis and a link."""
    parts = [paragraph(rng), paragraph(rng)]
    parts.append(f"## {sentence(rng, 3, 6)[:-1]}")
    parts.append("\n".join(f"- {sentence(rng, 5, 10)}" for _ in range(rng.randint(2, 4))))
    parts.append(paragraph(rng).replace(" data ", " **data** ", 1))
    parts.append(f"More at [the agency's site](https://example.org/{rng.randint(1, 10**6)}).")
    return "\n\n".join(parts)


def record(n: int, rng: random.Random) -> dict:
    year = rng.randint(2000, 2024)
    return {
        "title": sentence(rng, 6, 12)[:-1],
        "slug": f"synthetic-release-{n}",
        "kind": rng.choice(KINDS),
        "published_on": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "summary": sentence(rng, 15, 30),
        "body": body(rng),
        "source_url": f"https://example.org/releases/{n}",
        "agencies": [f"Synthetic Agency {a}" for a in rng.sample(range(40), rng.randint(1, 3))],
        "programmes": [f"Programme {p}" for p in rng.sample(range(60), rng.randint(0, 2))],
        "figures": [
            {"label": f"{rng.choice(WORDS)} projects", "value": rng.randint(1, 200)}
            for _ in range(rng.randint(0, 3))
        ],
    }


def write_jsonl(path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps(record(n, rng), ensure_ascii=False) + "\n")
