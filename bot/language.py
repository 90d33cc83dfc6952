"""Is this message English? The model only reads English; anything else gets "I can only read
English" instead of a guess.

Three signals, any of which is enough:

0. Google's Compact Language Detector 2 (``pycld2``: a C++ library with its tables built in,
   about 7 MB of memory and ~15 µs a message) names another language, calls its answer
   reliable, and gives it at least :data:`CLD2_MIN_PERCENT` of the text -- on a text of at
   least :data:`CLD2_MIN_LETTERS` letters, since two-word chat ("ok", "brb") is too short for
   any detector.

1. Script: if at least 30% of the letters are not Latin (Cyrillic, CJK, Arabic, …) it is not
   English.
2. Function words: common words of French, Spanish, German, Italian, Portuguese and Dutch that are
   not English words are counted against common English function words. More foreign than
   English hits (at least one) → not English. Accented letters (é, ñ, ü, …) in a text of three or
   more words with no English function word at all also count as not English.

Short English texts without function words ("absolutely fantastic performance") are given the
benefit of the doubt: the hint only appears on positive evidence of another language.
"""

from __future__ import annotations

import re
import unicodedata

import pycld2

NON_LATIN_SHARE = 0.3
CLD2_MIN_PERCENT = 90
CLD2_MIN_LETTERS = 8
CLD2_MIN_WORDS = 3
#: What CLD2 reports for English, and for "don't know".
_ENGLISH_OR_UNKNOWN = frozenset({"en", "un"})


_HANDLES_AND_LINKS = re.compile(r"@\w+|https?://\S+|www\.\S+")


def cld2_language(text: str) -> str | None:
    """CLD2's language code when it is reliable and covers most of the text, else None."""
    readable = _HANDLES_AND_LINKS.sub(" ", text).encode("utf-8", "replace").decode("utf-8")
    try:
        reliable, _, details = pycld2.detect(readable, bestEffort=True)
    except pycld2.error:  # e.g. control characters it refuses: no opinion
        return None
    _, code, percent, _ = details[0]
    if not reliable or percent < CLD2_MIN_PERCENT:
        return None
    return str(code)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_WORDS = _words(
    """a an the and or but if so of to in on at by for with from about as into over after
    is are was were be been being am do does did have has had will would can could should
    may might must shall not no yes i me my we our you your he him his she her it its they
    them their this that these those what which who whom whose when where why how all any
    some very too also just only than then there here more most much many such own
    really pretty quite i'm im it's i've i'll you're we're that's there's don't can't
    won't isn't didn't doesn't oh yeah yes hi hey thanks thank sorry please ok okay lol lmao
    omg haha damn man guys love good great bad nice cool sure well got get gotta"""
)

_FRENCH = """le la les un une des du au aux est et très pas je tu il elle nous vous ils elles
    c'est qui que ne mais avec sur dans cette ces ma mes sa ses bien été"""
_SPANISH_PORTUGUESE = """el los las una unos unas es y muy pero por para del su sus yo tú él
    ella nosotros esto esta este está están fue ser tiene muito não uma os é"""
_GERMAN_DUTCH = """der das ein eine einen ist und sehr nicht ich du sie wir ihr mit für auf
    sind dem des zu auch aber wie het een niet zijn maar voor ook"""
_ITALIAN = "il gli della delle sono molto questo questa che anche è ho"

#: Common words of other languages that are not (even rare) English words, names or URL parts.
FOREIGN_WORDS = (
    _words(_FRENCH) | _words(_SPANISH_PORTUGUESE) | _words(_GERMAN_DUTCH) | _words(_ITALIAN)
) - ENGLISH_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def _is_latin(letter: str) -> bool:
    return unicodedata.name(letter, "").startswith("LATIN")


def looks_non_english(text: str) -> bool:
    """True when there is positive evidence that ``text`` is not English."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if not _is_latin(c))
    if non_latin / len(letters) >= NON_LATIN_SHARE:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    foreign = sum(1 for w in words if w in FOREIGN_WORDS)
    if foreign >= 1 and foreign > english:
        return True
    if len(letters) >= CLD2_MIN_LETTERS and len(words) >= CLD2_MIN_WORDS and english <= foreign:
        code = cld2_language(text)
        if code is not None and code not in _ENGLISH_OR_UNKNOWN:
            return True
    accented = any(not c.isascii() for c in letters)
    return accented and english == 0 and len(words) >= 3
