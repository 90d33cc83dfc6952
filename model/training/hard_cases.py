"""Inputs that tend to break text pipelines; both runtimes must agree on every one."""

from __future__ import annotations


def hard_cases() -> list[str]:
    """Empty, whitespace runs, punctuation only, case, unicode/emoji, control chars, 1 MB, OOV,
    negation bigrams and scopes, contrast, emoji / Slack shortcodes / emoticons, statements
    without sentiment."""
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
        "not bad",
        "NOT BAD, not good, not not good",
        "no problem at all",
        "not_bad not-bad not  bad",
        "shipped :tada: :+1: :thumbsup::thumbsdown: :dog:",
        "👍🏽 ❤️ ❤️‍🔥 😂😭 🎉🎉",
        ":) :-) :( :'( <3 <30 =D :D :-D",
        "http://example.com/a:(b) 12:30 a:b",
        "The meeting is at 3pm",
        "ok",
        # negation scope and contrast (the conversation tokenizer's rewrites)
        "not the worst. but not bad, never again!",
        "I don\u2019t hate it but I don't love it either",
        "can't complain :) no no no problem",
        "but but but however",
        "not",
        "neg_bad neg_ never_not",
    ]
