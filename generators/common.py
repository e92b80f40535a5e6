"""Small helpers several task families share: name pools and seeded prompt phrasing."""

from __future__ import annotations

import random
import re

NAMES = [
    "Alice",
    "Bob",
    "Carol",
    "David",
    "Emma",
    "Frank",
    "Grace",
    "Henry",
    "Iris",
    "Jack",
    "Kate",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Peter",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Zoe",
    "Aaron",
    "Bella",
    "Caleb",
    "Daisy",
    "Ethan",
    "Fiona",
    "Gavin",
    "Hazel",
    "Isaac",
    "Julia",
    "Kevin",
    "Luna",
    "Mason",
    "Nora",
    "Oscar",
    "Piper",
    "Ryan",
    "Sofia",
    "Tyler",
    "Violet",
    "Wyatt",
    "Zara",
]


def pick(rng: random.Random, options: list[str] | tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def answer_instruction(example: str) -> str:
    return f"Give your final answer in this format (the example only shows the format): {example}"


_ROW_LABEL = re.compile(r"(?i)\b(?:row|r)\s*\d+\s*[:.)\-=]")


def parse_digit_grid(answer: str, n: int) -> list[int] | None:
    """n x n digits 1..n (n <= 9) in row-major order from the answer, or None (a wrong count is a hedge)."""
    text = _ROW_LABEL.sub(" ", answer)
    found = [int(c) for c in text if c.isdigit()]
    if len(found) != n * n or any(v < 1 or v > n for v in found):
        return None
    return found
