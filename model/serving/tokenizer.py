"""How text becomes tokens: one spec, recorded in the embedding module, run by both runtimes.

The spec is plain JSON so that the hub module (TensorFlow ops) and the NumPy runtime (Python
``re``) can both execute it. Patterns are restricted to the subset on which RE2 and Python's
``re`` agree: literal characters and explicit ASCII character classes (no ``\\s``, ``\\w``,
``\\b`` or look-arounds, whose meaning differs between the two engines on non-ASCII text).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

TOKENIZER_FILENAME = "tokenizer.json"

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

    def to_json_dict(self) -> dict:
        data = asdict(self)
        data["replacements"] = [list(pair) for pair in self.replacements]
        return data

    @classmethod
    def from_json_dict(cls, data: dict) -> TokenizerSpec:
        data = dict(data)
        data["replacements"] = tuple(tuple(pair) for pair in data.get("replacements", ()))
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


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


class PythonTokenizer:
    """Pure-Python execution of a TokenizerSpec (the NumPy runtime and the embedding builder)."""

    def __init__(self, spec: TokenizerSpec) -> None:
        self.spec = spec
        self._replacements = [(re.compile(p), r) for p, r in spec.replacements]

    def normalize(self, text: str) -> str:
        if self.spec.lowercase:
            text = text.translate(_ASCII_LOWER)
        for pattern, rewrite in self._replacements:
            text = pattern.sub(rewrite, text)
        return text

    def tokenize(self, text: str) -> list[str]:
        text = self.normalize(sanitize(text))
        if self.spec.split == "whitespace":
            # tf.strings.split(sep=None) splits on ASCII whitespace only.
            return [t for t in re.split("[ \t\n\r\f\v]+", text) if t]
        if self.spec.split == "space":
            return [t for t in text.split(" ") if t]
        raise ValueError(f"unknown split mode {self.spec.split!r}")
