"""Emoji, Slack shortcodes and emoticons rewritten as plain words before tokenizing.

Chat carries much of its sentiment in ":tada:", "👍" or ":(", which the tokenizer would otherwise
drop as punctuation, and which are too rare in the training corpora to learn as tokens of their
own. Rewriting each as a common English word the embedding already knows ("great", "sad", ...)
gives the model their meaning for free. The table is recorded in the module's tokenizer spec
(``substitutions``), so both runtimes apply it identically. Literals are matched after ASCII
lowercasing, hence ":-d" for ":-D" (bare ":d" is left out: it begins shortcodes
such as ":dog:").
"""

from __future__ import annotations

_GROUPS: dict[str, tuple[str, ...]] = {
    "happy": (
        ":smile:",
        ":smiley:",
        ":grinning:",
        ":grin:",
        ":blush:",
        ":slightly_smiling_face:",
        ":relaxed:",
        ":wink:",
        ":innocent:",
        ":smiling_face_with_3_hearts:",
        "😀",
        "😃",
        "😄",
        "😁",
        "😊",
        "☺",
        "🙂",
        "😆",
        "🥰",
        "😇",
        ":-)",
        ":)",
        "=)",
        ":-d",
        "=d",
    ),
    "haha": (":joy:", ":rolling_on_the_floor_laughing:", ":laughing:", "😂", "🤣"),
    "love": (
        ":heart:",
        ":heart_eyes:",
        ":hearts:",
        ":blue_heart:",
        ":green_heart:",
        ":purple_heart:",
        ":yellow_heart:",
        ":orange_heart:",
        ":two_hearts:",
        ":sparkling_heart:",
        ":kissing_heart:",
        "😍",
        "😘",
        "❤",
        "♥",
        "💙",
        "💚",
        "💜",
        "💛",
        "🧡",
        "💕",
        "💖",
        "💗",
        "<3",
    ),
    "good": (":+1:", ":thumbsup:", ":ok_hand:", "👍", "👌"),
    "great": (
        ":clap:",
        ":raised_hands:",
        ":tada:",
        ":rocket:",
        ":star-struck:",
        ":partying_face:",
        ":confetti_ball:",
        ":muscle:",
        ":trophy:",
        ":star2:",
        ":sparkles:",
        "👏",
        "🙌",
        "🎉",
        "🥳",
        "🎊",
        "🚀",
        "🤩",
        "💪",
        "🏆",
        "🌟",
    ),
    "thanks": (":pray:", ":bow:", "🙏"),
    "awesome": (":fire:", ":100:", ":sunglasses:", "🔥", "💯", "😎"),
    "done": (":white_check_mark:", ":heavy_check_mark:", "✅", "✔"),
    "sad": (
        ":cry:",
        ":sob:",
        ":disappointed:",
        ":pensive:",
        ":weary:",
        ":broken_heart:",
        ":slightly_frowning_face:",
        ":white_frowning_face:",
        ":tired_face:",
        ":frowning:",
        "😢",
        "😭",
        "😞",
        "😔",
        "😩",
        "💔",
        "🙁",
        "☹",
        "😫",
        ":-(",
        ":(",
        ":'(",
        "=(",
    ),
    "angry": (":rage:", ":angry:", ":face_with_symbols_on_mouth:", "😡", "😠", "🤬"),
    "bad": (":-1:", ":thumbsdown:", ":x:", "👎", "❌"),
    "annoyed": (":unamused:", ":face_with_rolling_eyes:", ":roll_eyes:", "😒", "🙄"),
    "worried": (":confused:", ":worried:", ":grimacing:", "😕", "😟", "😬"),
    "terrible": (":scream:", ":poop:", "😱", "💩"),
    "disgusting": (":nauseated_face:", ":face_vomiting:", "🤢", "🤮"),
    "frustrated": (":triumph:", ":persevere:", ":facepalm:", "😤", "😣", "🤦"),
    "meh": (":neutral_face:", ":expressionless:", "😐", "😑"),
}

# Shortcodes first (they contain ":"), then unicode, then emoticons, each in table order.
EMOJI_TABLE: tuple[tuple[str, str], ...] = tuple(
    (literal, f" {word} ")
    for rank in (0, 1, 2)
    for word, literals in _GROUPS.items()
    for literal in literals
    if rank
    == (
        0
        if literal.startswith(":") and literal.endswith(":") and len(literal) >= 3
        else 1
        if not literal.isascii()
        else 2
    )
)
