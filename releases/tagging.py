"""How a tag field's text becomes tag names, and back.

taggit's default splits on spaces when there is no comma, which would turn
"8 MoUs signed" into three tags. Here a comma separates tags only when a space
or the end follows it, so "10,000+ enterprises" stays one figure.
"""

import re

SEPARATOR = re.compile(r",(?=\s|$)|;|\n")


def parse_tags(text: str) -> list[str]:
    names = []
    for part in re.split(r'("[^"]*")', text or ""):
        if part.startswith('"') and part.endswith('"') and len(part) >= 2:
            names.append(part[1:-1])
        else:
            names.extend(SEPARATOR.split(part))
    return sorted({name.strip() for name in names if name.strip()})


def edit_string(tags) -> str:
    names = sorted(tag.name for tag in tags)
    return ", ".join(f'"{name}"' if SEPARATOR.search(name) else name for name in names)
