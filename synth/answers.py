"""Answer extraction and normalisation shared by every verifier.

The rules are the reward contract: take the *last* ``<answer>…</answer>`` block, or failing that the last
``\\boxed{…}``; never evaluate model text; never raise, whatever the input.
"""

from __future__ import annotations

import re
import unicodedata

MAX_ANSWER_CHARS = 20_000  # longer "answers" are dumps, not answers

_OPEN, _CLOSE = "<answer>", "</answer>"


def extract_answer(completion: object) -> str | None:
    """The final answer text of a completion, or None when it has none (or a malformed one)."""
    if not isinstance(completion, str) or not completion:
        return None
    lower = completion.lower()
    end = lower.rfind(_CLOSE)
    if end != -1:
        start = lower.rfind(_OPEN, 0, end)
        if start == -1:
            return None
        inner = completion[start + len(_OPEN) : end]
        if "<answer" in inner.lower() or "</answer" in inner.lower():
            return None
        boxed = extract_boxed(inner)
        text = boxed if boxed is not None else inner
    else:
        if _OPEN in lower:
            return None  # an opened, never closed answer block is a cut-off completion
        text = extract_boxed(completion)
        if text is None:
            return None
    text = text.strip()
    if not text or len(text) > MAX_ANSWER_CHARS:
        return None
    return text


def extract_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}`` with balanced braces, or None."""
    start = text.rfind("\\boxed{")
    if start == -1:
        return None
    i = start + len("\\boxed{")
    depth = 1
    for j in range(i, min(len(text), i + MAX_ANSWER_CHARS)):
        c = text[j]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i:j]
    return None


_SPACE = re.compile(r"\s+")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|textbf|mathbf)\{([^{}]*)\}")


def normalize(text: str) -> str:
    """Case-folded, accent-free, LaTeX-text-free, single-spaced text with outer punctuation removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _LATEX_TEXT.sub(r"\1", text)
    text = text.replace("$", "").replace("**", "")
    text = _SPACE.sub(" ", text).strip().casefold()
    return text.strip(" .;:!")


_INT = re.compile(r"[-+−]?\d+")


def parse_single_int(text: str) -> int | None:
    """The one integer in ``text``, or None if there are none or several (a hedge)."""
    found = _INT.findall(
        text.replace(",", "") if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", text.strip()) else text
    )
    if len(found) != 1:
        return None
    return int(found[0].replace("−", "-"))
