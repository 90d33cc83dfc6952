"""Inputs that tend to break text pipelines; both runtimes must agree on every one."""

from __future__ import annotations


def hard_cases() -> list[str]:
    """Empty, whitespace runs, punctuation only, case, unicode/emoji, control chars, 1 MB, OOV."""
    return [
        "",
        " ",
        "     ",
        "\t\t\n\n  \r\n",
        "great\tmovie\nterrible\r\nplot",
        "!!!???...,,,;;;---",
        "GREAT Movie, TeRrIbLe ending",
        "I LOVED IT",
        "café déjà vu naïve — “quotes” ‘single’",
        "😀😀😀 🎉",
        "this movie 😀 was great 👍",
        "日本語のテキストです",
        "Это был ужасный фильм",
        "هذا فيلم رائع",
        "\x00\x01\x02 control \x07 chars \x1b[31m",
        "K\u212a Kelvin and İstanbul ﬁne",  # characters whose lowercase folds to ASCII in Python
        "zxqvbnm flibbertigibbet qwertyuiopasdf unknownwordsonly",
        "don't won't it's 'quoted' ''",
        "<br /><br />Great<br/>film<br >",
        "a" * 10_000,
        "good " * 200_000 + "bad",  # about 1 MB
        "\ud800 lone surrogate",
    ]
