"""The Python tokenizer and OOV hashing must match the TensorFlow graph token for token."""

import numpy as np
import pytest
import tensorflow as tf

from model.embedding.hub_module import tf_tokenize
from model.embedding.normalisation import EMOJI_TABLE
from model.serving.tokenizer import (
    PythonTokenizer,
    TokenizerSpec,
    chat_spec,
    conversation_spec,
    default_spec,
    gnews_swivel_spec,
    sanitize,
)
from model.training.hard_cases import hard_cases

# Literals full of regex metacharacters, overlapping literals, and a rewrite with a backslash.
TRICKY_TABLE = (
    (":+1:", " plusone "),
    ("a.b", " dot "),
    ("(x)", " paren "),
    ("[y]", " bracket "),
    ("$^|*?{2}", " meta "),
    ("\\d", " backslash "),
    ("aa", "a"),
    ("🎉", " party \\1 "),
)
CHAT_SPEC = default_spec().with_options(ngrams=(1, 2), substitutions=EMOJI_TABLE)
SPECS = {
    "default": default_spec(),
    "gnews": gnews_swivel_spec(),
    "bigrams": default_spec().with_options(ngrams=(1, 2)),
    "trigrams-only": default_spec().with_options(ngrams=(3,)),
    "chat": CHAT_SPEC,
    "chat-rules": chat_spec().with_options(ngrams=(1, 2), substitutions=EMOJI_TABLE),
    "tricky-table": default_spec().with_options(ngrams=(1, 2, 3), substitutions=TRICKY_TABLE),
    "gnews-bigrams": gnews_swivel_spec().with_options(ngrams=(1, 2)),
    "conversation": conversation_spec().with_options(ngrams=(1, 2), substitutions=EMOJI_TABLE),
}
CHAT_TEXTS = [
    "not bad at all :tada: :+1:",
    "NOT BAD :-) :) :( :'( <3 <30 minutes",
    "🎉🎉 great ❤️ 👍🏽 😂😭",
    ":dog: :d :-D =D :thumbsup::thumbsdown:",
    "meeting at 3pm :calendar:",
    "a.b (x) [y] $^|*?{2} \\d aaaa",
    ":pray::pray: thanks",
    "@united thanks!! https://t.co/xyz?a=1&amp;b=2 www.example.com/é :)",
    "see http://x.y/日本\nnext line @user_1 &amp; more",
    # negation scope and contrast (conversation_spec)
    "not the worst. but not bad, never again!",
    "I don’t hate it but I don't love it either",
    "can't complain :) no no no problem never not good",
    "but but but",
    "not",
    "however, it's not great; but fine",
    "nothing neg_x nobody",
    "not a, b: c? d! e",
]


def random_texts(count: int, seed: int = 0) -> list[str]:
    """Random mixes of ASCII, punctuation, whitespace, accented letters, CJK and emoji."""
    rng = np.random.RandomState(seed)
    alphabet = list("abcXYZ019 '\t\n\r.,!?<>/-_") + [
        "é",
        "ß",
        "İ",
        "\u212a",
        "日",
        "😀",
        "\x00",
        "\u00a0",
        "\u2028",
        "<br />",
        "Don't",
    ]
    return ["".join(rng.choice(alphabet, size=rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("spec", list(SPECS.values()), ids=list(SPECS))
def test_python_tokenizer_matches_tensorflow(spec):
    short_cases = [t for t in hard_cases() if len(t) < 20_000]
    texts = [sanitize(t) for t in short_cases + CHAT_TEXTS + random_texts(300)]
    expected = tf_tokenize(spec, tf.constant(texts)).to_list()
    tokenizer = PythonTokenizer(spec)
    for text, tokens in zip(texts, expected, strict=True):
        assert tokenizer.tokenize(text) == [t.decode("utf-8") for t in tokens], repr(text)


def test_default_tokenizer_normalises_reviews():
    tokens = PythonTokenizer(default_spec()).tokenize("GREAT film!<br /><br />I don't care.")
    assert tokens == ["great", "film", "i", "dont", "care"]


def test_bigrams_follow_the_words_and_cannot_be_mistaken_for_words():
    tokens = PythonTokenizer(SPECS["bigrams"]).tokenize("Not bad, NOT bad at all!")
    assert tokens == ["not", "bad", "not", "bad", "at", "all"] + [
        "not bad",
        "bad not",
        "not bad",
        "bad at",
        "at all",
    ]
    words = PythonTokenizer(default_spec()).tokenize("not_bad not-bad not  bad")
    assert "not bad" not in words  # no word can contain the separator


def test_emoji_table_rewrites_shortcodes_unicode_and_emoticons():
    tokenizer = PythonTokenizer(CHAT_SPEC)
    assert tokenizer.words("Shipped :tada: 🎉 :)") == ["shipped", "great", "great", "happy"]
    assert tokenizer.words("ugh :( 👎 :rage:") == ["ugh", "sad", "bad", "angry"]
    assert tokenizer.words(":dog: at 3pm") == ["dog", "at", "3pm"]  # unknown shortcode: as before


def test_specs_without_the_new_fields_keep_their_meaning_and_json():
    old = default_spec().to_json_dict()
    assert "ngrams" not in old and "substitutions" not in old
    spec = TokenizerSpec.from_json_dict(old)
    assert spec == default_spec() and spec.ngrams == (1,)
    chat = TokenizerSpec.from_json_dict(CHAT_SPEC.to_json_dict())
    assert chat == CHAT_SPEC and chat.ngrams == (1, 2)
    with pytest.raises(ValueError):
        default_spec().with_options(ngrams=(2, 1))


def test_oov_hash_matches_tensorflow_fingerprint64():
    import farmhash

    tokens = ["zxqv", "flibbertigibbet", "naïve", "日本語", "😀", "a" * 300, "x y"]
    buckets = 1000
    expected = tf.strings.to_hash_bucket_fast(tokens, buckets).numpy().tolist()
    assert [farmhash.fingerprint64(t) % buckets for t in tokens] == expected


def test_lite_lookup_matches_static_vocabulary_table(tiny_module_dir):
    """Known tokens get their row; unknown ones the same OOV bucket TensorFlow picks."""
    from model.serving.lite import LiteNetwork
    from model.serving.portable import PortableNetwork, read_module_tokenizer

    spec, vocabulary = read_module_tokenizer(tiny_module_dir, 15 + 7)
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.KeyValueTensorInitializer(vocabulary, tf.range(len(vocabulary), dtype=tf.int64)),
        spec.num_oov_buckets,
    )
    network = PortableNetwork(
        spec,
        vocabulary,
        np.zeros((22, 4), np.float32),
        np.zeros((4, 2)),
        np.zeros(2),
        np.zeros((2, 1)),
        np.zeros(1),
    )
    lite = LiteNetwork(network)
    tokens = vocabulary + ["unknown", "words", "zzz", "qqq", "überlong", "x1", "y2", "z3"]
    assert [lite.token_id(t) for t in tokens] == table.lookup(tf.constant(tokens)).numpy().tolist()
    assert any(lite.token_id(t) >= len(vocabulary) for t in tokens)


def test_chat_rules_turn_links_into_url_and_drop_mentions():
    words = PythonTokenizer(chat_spec()).words("@united THANKS https://t.co/x &amp; www.a.com")
    assert words == ["thanks", "url", "and", "url"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not the worst", ["not", "the", "neg_worst"]),
        ("I don't hate it", ["i", "dont", "neg_hate", "it"]),
        ("can\u2019t complain", ["cant", "neg_complain"]),
        ("never again", ["never", "neg_again"]),
        ("not bad at all, really good", ["not", "neg_bad", "at", "all", "really", "good"]),
        ("never seen a bug so bad", ["never", "neg_seen", "a", "neg_bug", "so", "bad"]),
        ("not good but fine", ["not", "neg_good", "but", "fine", "fine", "fine"]),
        ("good, but slow. ok", ["good", "but", "slow", "slow", "slow", "ok"]),
        ("neg_bad", ["neg", "bad"]),  # a written underscore never looks like a marked word
        ("I'll be out, he\u2019d say", ["i", "will", "be", "out", "he", "would", "say"]),
        ("all'll'd", ["all", "will", "would"]),
    ],
)
def test_conversation_rules_mark_negation_scope_and_weigh_the_but_clause(text, words):
    assert PythonTokenizer(conversation_spec()).words(text) == words
