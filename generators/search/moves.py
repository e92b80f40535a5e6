"""Parsing of move sequences shared by the planning families (maze, sliding tile)."""

from __future__ import annotations

import re

from synth.answers import normalize

_WORDS = {
    "up": "U",
    "down": "D",
    "left": "L",
    "right": "R",
    "u": "U",
    "d": "D",
    "l": "L",
    "r": "R",
    "north": "U",
    "south": "D",
    "west": "L",
    "east": "R",
}


def parse_directions(answer: str) -> list[str] | None:
    """['U', 'R', ...] from 'U R D', 'U,R,D', 'URD' or 'up, right, down'; None for anything else."""
    text = normalize(answer)
    text = re.sub(r"^(moves?|path|answer|solution)\s*[:=]?\s*", "", text)
    tokens = [t for t in re.split(r"[\s,;\-→>]+", text) if t]
    if len(tokens) == 1 and re.fullmatch(r"[udlr]+", tokens[0]):
        tokens = list(tokens[0])
    if not tokens or any(t not in _WORDS for t in tokens):
        return None
    return [_WORDS[t] for t in tokens]
