"""Is a message English? The signals of bot/language.py, each shown to fire and to hold back."""

from __future__ import annotations

import pytest

from bot import language
from bot.language import cld2_language, looks_non_english


@pytest.mark.parametrize(
    "text",
    [
        "c'est nul",  # function words
        "Это ужасно",  # script
        "muy buen trabajo equipo",  # the language identifier (no listed function word)
        "la réunion est annulée",
        "grazie mille per l'aiuto",
        "obrigado pela ajuda de ontem",
    ],
)
def test_clearly_foreign_messages_are_flagged(text):
    assert looks_non_english(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "lgtm",
        "brb",
        "wfh today",
        "deploy at 3",
        "thanks!",
        "Congratulations! :)",
        "sunny morning",
        "who is on call tonight?",
        "ship it :rocket:",
        "Lmao I'm sorry!",
        "nifty premise",
        "Hibernate.initialize() throws again",
        "",
        "🎉🎉🎉",
    ],
)
def test_short_english_chat_is_not_flagged(text):
    assert looks_non_english(text) is False


def test_the_identifier_only_speaks_when_reliable_and_dominant():
    assert cld2_language("Je suis très content de ce projet, merci à tous") == "fr"
    assert cld2_language("the build is green again, nice work everyone") == "en"
    assert cld2_language("ok") is None  # unreliable: no opinion
    assert cld2_language("\ud800 lone surrogate, then plain English words") == "en"  # no crash
    assert looks_non_english("\x00\x01 control characters") is False


def test_the_identifier_is_not_asked_about_very_short_texts(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(language, "cld2_language", lambda text: asked.append(text) or "fr")
    assert looks_non_english("ok bro") is False  # too short for any detector
    assert asked == []
    assert looks_non_english("bonjour tout monde") is True  # no listed word: the identifier
    assert asked == ["bonjour tout monde"]
