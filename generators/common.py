"""Small helpers several task families share: name pools and seeded prompt phrasing."""

from __future__ import annotations

import random

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
