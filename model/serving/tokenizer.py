"""How text becomes tokens: one spec, recorded in the embedding module, run by both runtimes.

The spec is plain JSON so that the hub module (TensorFlow ops) and the NumPy runtime (Python
``re``) can both execute it. Patterns are restricted to the subset on which RE2 and Python's
``re`` agree: literal characters and explicit ASCII character classes (no ``\\s``, ``\\w``,
``\\b`` or look-arounds, whose meaning differs between the two engines on non-ASCII text).

Optional extras (absent from older specs, which therefore keep meaning what they meant):
``substitutions``, a table of literal strings (emoji shortcodes, unicode emoji) rewritten before
the regex steps, and ``ngrams``, e.g. ``[1, 2]``: the tokens are then the words followed by every
pair of adjacent words joined with ``ngram_separator`` (a space, which no word can contain, so a
bigram "not bad" can never be mistaken for a word) -- what ``tf.strings.ngrams`` produces.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise

TOKENIZER_FILENAME = "tokenizer.json"
NGRAM_SEPARATOR = " "
# Optional fields, written to JSON only when they differ from these defaults, so the tutorial's
# spec (and its tokenizer.json) stays exactly as it was.
_OPTIONAL_DEFAULTS = {"substitutions": [], "ngrams": [1], "ngram_separator": NGRAM_SEPARATOR}

# Lowercase ASCII only: tf.strings.lower() without an encoding does exactly this, whereas
# Python's str.lower() would also fold e.g. the Kelvin sign to "k".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class TokenizerSpec:
    """Normalisation steps, then a split; tokens are looked up in a vocabulary + OOV buckets."""

    lowercase: bool = True
    # (pattern, rewrite) pairs applied in order, each replacing every match.
    replacements: tuple[tuple[str, str], ...] = ()
    # "whitespace": split on runs of ASCII spaces (tf.strings.split(sep=None));
    # "space": split on single " " and drop empty tokens.
    split: str = "whitespace"
    num_oov_buckets: int = 1
    combiner: str = "sqrtn"
    vocabulary_file: str = "vocabulary.txt"
    notes: dict = field(default_factory=dict)
    # (literal, rewrite) pairs applied in order after lowercasing, before ``replacements``.
    substitutions: tuple[tuple[str, str], ...] = ()
    # Token n-gram widths, ascending: (1,) words only; (1, 2) words then adjacent-word bigrams.
    ngrams: tuple[int, ...] = (1,)
    ngram_separator: str = NGRAM_SEPARATOR

    def __post_init__(self) -> None:
        widths = tuple(int(n) for n in self.ngrams)
        if not widths or list(widths) != sorted(set(widths)) or widths[0] < 1:
            raise ValueError(f"ngrams must be ascending distinct widths >= 1, got {self.ngrams}")
        if self.ngram_separator != NGRAM_SEPARATOR:
            raise ValueError("ngram_separator must be a single space (no token can contain one)")
        if any(not k or any(ord(c) < 32 for c in k) for k, _ in self.substitutions):
            raise ValueError("substitution literals must be non-empty, without control characters")
        object.__setattr__(self, "ngrams", widths)

    def to_json_dict(self) -> dict:
        data = asdict(self)
        data["replacements"] = [list(pair) for pair in self.replacements]
        data["substitutions"] = [list(pair) for pair in self.substitutions]
        data["ngrams"] = list(self.ngrams)
        for key, default in _OPTIONAL_DEFAULTS.items():
            if data[key] == default:
                del data[key]
        return data

    @classmethod
    def from_json_dict(cls, data: dict) -> TokenizerSpec:
        data = dict(data)
        data["replacements"] = tuple(tuple(pair) for pair in data.get("replacements", ()))
        data["substitutions"] = tuple(tuple(pair) for pair in data.get("substitutions", ()))
        data["ngrams"] = tuple(data.get("ngrams", (1,)))
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_options(
        self, ngrams: tuple[int, ...] | None = None, substitutions=None
    ) -> TokenizerSpec:
        """A copy with other n-gram widths and/or substitution table."""
        return replace(
            self,
            ngrams=tuple(ngrams) if ngrams is not None else self.ngrams,
            substitutions=tuple(tuple(p) for p in substitutions)
            if substitutions is not None
            else self.substitutions,
        )


def default_spec(num_oov_buckets: int = 1000) -> TokenizerSpec:
    """The project's tokenizer: lowercase, drop HTML line breaks and apostrophes, keep [a-z0-9]."""
    return TokenizerSpec(
        lowercase=True,
        replacements=(
            ("<br */?>", " "),  # IMDB reviews carry literal <br /> tags
            ("'", ""),  # don't -> dont, so contractions are single tokens
            ("[^a-z0-9]+", " "),  # everything else (punctuation, emoji, non-Latin) separates
        ),
        split="whitespace",
        num_oov_buckets=num_oov_buckets,
    )


def chat_spec(num_oov_buckets: int = 5000) -> TokenizerSpec:
    """For chat: the default rules plus links -> "url", @mentions dropped, "&amp;" -> "and".

    Links and @handles carry topic, not sentiment (airline tweets' handles would teach the model
    which airline people complain about); Slack-escaped ampersands should read as the word.
    """
    return TokenizerSpec(
        lowercase=True,
        replacements=(
            ("<br */?>", " "),
            ("https?://[^ ]+|www[.][^ ]+", " url "),
            ("@[a-z0-9_]+", " "),
            ("&amp;", " and "),
            ("'", ""),
            ("[^a-z0-9]+", " "),
        ),
        split="whitespace",
        num_oov_buckets=num_oov_buckets,
    )


#: Words that open a negation scope (apostrophes are already gone: "don't" reads "dont").
NEGATORS = (
    "not", "no", "never", "cannot", "dont", "doesnt", "didnt", "cant", "wont", "wouldnt",
    "shouldnt", "couldnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt",
    "aint", "nothing", "nobody", "none", "neither", "nor", "without", "hardly", "barely",
)  # fmt: skip
#: Prefix of a word inside a negation scope ("not the worst" -> "not neg_the neg_worst"); the
#: underscore cannot survive the earlier rules, so no written word can look like a marked one.
NEGATED_PREFIX = "neg_"
#: How many words after a negator are marked (a clause boundary ends the scope sooner).
NEGATION_SCOPE = 3
#: Words that open a contrast clause; the clause after them is counted twice.
CONTRAST_WORDS = ("but", "however")
#: Function words inside a negation scope stay as they are (the scope still spans them): a
#: marked "neg_the" would only learn that negated sentences are often negative.
UNMARKED_IN_SCOPE = (
    "the", "a", "an", "it", "its", "this", "that", "these", "those", "to", "of", "at", "in",
    "on", "for", "be", "is", "was", "i", "me", "my", "you", "we", "so", "too", "very", "really",
    "all", "any", "much",
)  # fmt: skip


def conversation_spec(num_oov_buckets: int = 5000) -> TokenizerSpec:
    """The chat rules plus negation scope and contrast, as regex rewrites both engines run.

    Clause punctuation (``. , ! ? ; :``) becomes a "," boundary token; a negator marks up to
    :data:`NEGATION_SCOPE` following words of its clause with :data:`NEGATED_PREFIX`, except
    the function words of :data:`UNMARKED_IN_SCOPE` (``I don't hate it`` -> ``i dont neg_hate
    it``; ``can't complain`` -> ``cant neg_complain``); "but"
    starts a new clause (negation stops there) and the words after it, up to the next
    boundary, are written three times, so they weigh three times the clause before it, the
    ratio of VADER's but-rule (x0.5 before, x1.5 after): ``good but slow`` ->
    ``good but slow slow slow``. The boundary tokens are removed at the end.
    """
    negators = "|".join(NEGATORS)
    contrast = "|".join(CONTRAST_WORDS)
    word = "([a-z0-9]+)( |$)"
    marked = f"({NEGATED_PREFIX}[a-z0-9]+) {word}"
    continue_scope = (marked, f"\\1 {NEGATED_PREFIX}\\2\\3")
    function_words = "|".join(UNMARKED_IN_SCOPE)
    # Two passes: each consumes the space after a word, so neighbours need the second.
    unmark = (f"(^| ){NEGATED_PREFIX}({function_words})( |$)", "\\1\\2\\3")
    return TokenizerSpec(
        lowercase=True,
        replacements=(
            ("<br */?>", " "),
            ("https?://[^ ]+|www[.][^ ]+", " url "),
            ("@[a-z0-9_]+", " "),
            ("&amp;", " and "),
            # "I'll" and "he'd" would otherwise read as the words "ill" and "hed".
            ("('|\u2019)ll([^a-z0-9]|$)", " will\\2"),
            ("('|\u2019)d([^a-z0-9]|$)", " would\\2"),
            ("'|\u2019", ""),
            ("[.!?;:]+|,", " , "),
            ("[^a-z0-9,]+", " "),
            (f"(^| )({contrast}) ", "\\1, \\2 "),
            (f"(^| )({negators}) {word}", f"\\1\\2 {NEGATED_PREFIX}\\3\\4"),
            *([continue_scope] * (NEGATION_SCOPE - 1)),
            unmark,
            unmark,
            (f"(^| )({contrast}) ([^,]+)", "\\1\\2 \\3 \\3 \\3"),
            (",", " "),
        ),
        split="whitespace",
        num_oov_buckets=num_oov_buckets,
    )


def gnews_swivel_spec(num_oov_buckets: int = 1) -> TokenizerSpec:
    """Documented behaviour of Google's gnews-swivel modules, which record no spec themselves."""
    return TokenizerSpec(
        lowercase=False,
        replacements=(),
        split="space",
        num_oov_buckets=num_oov_buckets,
        vocabulary_file="tokens.txt",
        notes={"source": "documented behaviour of google/tf2-preview/gnews-swivel-20dim"},
    )


def sanitize(text: str) -> str:
    """Make any Python string valid UTF-8 (lone surrogates become U+FFFD) before either runtime."""
    if not isinstance(text, str):
        text = str(text)
    return text.encode("utf-8", "replace").decode("utf-8")


def re2_literal(text: str) -> str:
    """A regex matching ``text`` literally, in the syntax RE2 and Python's ``re`` share."""
    return "".join("\\" + c if c in string.punctuation else c for c in text)


def add_ngrams(words: list[str], widths: tuple[int, ...], separator: str = NGRAM_SEPARATOR):
    """Words -> all n-grams of the given widths, width by width (``tf.strings.ngrams`` order)."""
    tokens = list(words) if widths[0] == 1 else []
    for n in widths:
        if n == 1:
            continue
        if n == 2:
            tokens += [a + separator + b for a, b in pairwise(words)]
        else:
            tokens += [separator.join(words[i : i + n]) for i in range(len(words) - n + 1)]
    return tokens


_SHORTCODE = re.compile(r"^:[a-z0-9_+'-]+:$")


def shortcodes_read(spec: TokenizerSpec) -> frozenset[str]:
    """The Slack ``:shortcode:`` literals this spec rewrites into words (lowercase).

    A caller that strips Slack markup (the bot) keeps exactly these, so the emoji the model
    learned from reach it while custom workspace emoji (``:partyparrot:``) do not add noise.
    """
    return frozenset(k for k, _ in spec.substitutions if _SHORTCODE.match(k))


class PythonTokenizer:
    """Pure-Python execution of a TokenizerSpec (the NumPy runtime and the embedding builder)."""

    def __init__(self, spec: TokenizerSpec) -> None:
        self.spec = spec
        self._replacements = [(re.compile(p), r) for p, r in spec.replacements]
        self._substitutions = list(spec.substitutions)
        # Every literal starts with one of these; a text with none of them needs no substitution.
        self._ascii_triggers = frozenset(k[0] for k, _ in spec.substitutions if k[0].isascii())
        # An ASCII text can only contain the ASCII literals, and stays ASCII while the rewrites
        # are ASCII: then trying just those, in table order, gives the same result.
        ascii_only = [(k, r) for k, r in spec.substitutions if k.isascii()]
        rewrites_ascii = all(r.isascii() for _, r in spec.substitutions)
        self._ascii_substitutions = ascii_only if rewrites_ascii else self._substitutions
        self._ngrams = spec.ngrams
        self._split = re.compile("[ \t\n\r\f\v]+").split

    def _substitute(self, text: str) -> str:
        table = self._substitutions
        if text.isascii():
            if not any(c in text for c in self._ascii_triggers):
                return text  # fast path: literals are non-ASCII emoji or start with e.g. ":"
            table = self._ascii_substitutions
        for literal, rewrite in table:
            if literal in text:
                text = text.replace(literal, rewrite)
        return text

    def normalize(self, text: str) -> str:
        if self.spec.lowercase:
            text = text.translate(_ASCII_LOWER)
        if self._substitutions:
            text = self._substitute(text)
        for pattern, rewrite in self._replacements:
            text = pattern.sub(rewrite, text)
        return text

    def words(self, text: str) -> list[str]:
        """The unigrams: normalised text split as the spec says."""
        text = self.normalize(sanitize(text))
        if self.spec.split == "whitespace":
            # tf.strings.split(sep=None) splits on ASCII whitespace only.
            return [t for t in self._split(text) if t]
        if self.spec.split == "space":
            return [t for t in text.split(" ") if t]
        raise ValueError(f"unknown split mode {self.spec.split!r}")

    def tokenize(self, text: str) -> list[str]:
        """The tokens looked up in the vocabulary: words, plus n-grams when the spec asks."""
        words = self.words(text)
        if self._ngrams == (1,):
            return words
        return add_ngrams(words, self._ngrams, self.spec.ngram_separator)
