from synth.answers import extract_answer, extract_boxed, normalize, parse_single_int


def test_takes_the_last_answer_block():
    text = "<think>maybe <answer>1</answer></think> so <answer> 2 </answer>"
    assert extract_answer(text) == "2"


def test_boxed_inside_or_instead_of_answer_block():
    assert extract_answer("<answer>\\boxed{42}</answer>") == "42"
    assert extract_answer("so the result is \\boxed{\\frac{1}{2}} and \\boxed{7}") == "7"
    assert extract_boxed("\\boxed{a{b}c}") == "a{b}c"
    assert extract_boxed("\\boxed{unclosed") is None


def test_malformed_inputs_give_none_never_raise():
    for bad in [
        None,
        5,
        b"<answer>1</answer>",
        "",
        "no tags",
        "<answer>cut off",
        "</answer>",
        "<answer><answer>x</answer></answer>",
        "<answer>   </answer>",
        "x" * 1_000_000,
        "<answer>" + "y" * 30_000 + "</answer>",
        "\\boxed{" * 5000,
    ]:
        assert extract_answer(bad) is None


def test_case_insensitive_tags():
    assert extract_answer("<ANSWER>yes</Answer>") == "yes"


def test_normalize_and_single_int():
    assert normalize("  **Alice**. ") == "alice"
    assert normalize("$\\text{Red}$") == "red"
    assert parse_single_int("house 3") == 3
    assert parse_single_int("3 or 4") is None
    assert parse_single_int("1,234") == 1234
