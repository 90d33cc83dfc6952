"""Everyday workplace messages with the answer a person would give, and the scorer that checks a
classifier against them.

Written by hand before looking at any model's output; a case lists every answer a reasonable
reader would accept (e.g. "meh" is negative or neutral). The served model must pass at least
``PASS_BAR`` of them (tests/model/test_everyday_messages.py).
"""

from __future__ import annotations

from dataclasses import dataclass

POS, NEG, NEU = "positive", "negative", "neutral"
#: Not a label of the model: the bot's "I can only read English" (``Analysis.non_english``).
NON_ENGLISH = "non-english"
PASS_BAR = 0.90


@dataclass(frozen=True)
class Case:
    text: str
    accepted: tuple[str, ...]
    kind: str


def _cases(kind: str, accepted: tuple[str, ...], *texts: str) -> list[Case]:
    return [Case(text, accepted, kind) for text in texts]


CASES: list[Case] = [
    # negation
    *_cases("negation", (POS,), "not bad at all", "I can't complain, it went well"),
    *_cases(
        "negation",
        (NEG,),
        "this is not good",
        "not happy with how the release went",
        "the new process doesn't work for us",
        "I don't like this change at all",
    ),
    # intensifiers
    *_cases(
        "intensifier",
        (POS,),
        "this is really really great",
        "absolutely love the new dashboard",
        "super helpful, thank you so much",
    ),
    *_cases(
        "intensifier",
        (NEG,),
        "this is extremely frustrating",
        "the worst outage we have ever had",
        "so disappointed with this sprint",
    ),
    # workplace praise
    *_cases(
        "praise",
        (POS,),
        "great job on the release everyone",
        "thanks so much, really appreciate your help",
        "awesome work on the migration",
        "the demo went great, the customer loved it",
        "well done team, we shipped on time",
        "congrats on the promotion!",
    ),
    # workplace complaints
    *_cases(
        "complaint",
        (NEG,),
        "the build is broken again",
        "this meeting was a complete waste of time",
        "the deploy failed and nobody noticed for hours",
        "I'm tired of these constant interruptions",
        "the wifi in the office is terrible today",
        "the customer is furious about the delay",
    ),
    # neutral facts
    *_cases(
        "neutral fact",
        (NEU,),
        "The meeting is at 3pm in room 4",
        "I'm working from home tomorrow",
        "Deploy is scheduled for Friday",
        "Lunch is in the kitchen",
        "The quarterly report is attached",
    ),
    # emoji shortcodes
    *_cases(
        "emoji",
        (POS,),
        "great job on the release :tada:",
        "we hit our target :tada: :rocket:",
        "thanks for the quick fix :heart:",
    ),
    *_cases(
        "emoji",
        (NEG,),
        "the build is broken again :disappointed:",
        "another outage :rage:",
        "lost all my changes :cry:",
    ),
    # questions
    *_cases("question", (NEU,), "Can you send me the report?", "What time is the standup?"),
    *_cases("question", (NEG,), "why is the build always broken?"),
    # lukewarm
    *_cases("lukewarm", (NEG, NEU), "meh", "it's fine I guess"),
    # negation beyond a word pair
    *_cases(
        "negation",
        (POS,),
        "not the worst",
        "I don't hate it",
        "can't complain",
        "no complaints from me",
        "not a bad idea at all",
        "nothing to worry about, it went fine",
    ),
    *_cases(
        "negation",
        (NEG,),
        "never again",
        "this is not what we agreed on",
        "not impressed with the new tool",
        "I don't think this is working",
        "it doesn't look good for friday",
    ),
    # contrast: the clause after "but" decides
    *_cases(
        "contrast",
        (POS,),
        "the start was rough but we pulled it off",
        "it took forever but the result is great",
        "the office is noisy but the team is amazing",
    ),
    *_cases(
        "contrast",
        (NEG,),
        "the demo was good but the release was a disaster",
        "nice idea but it will never work",
        "the UI looks great but it keeps crashing",
    ),
    # workplace logistics: facts, no sentiment
    *_cases(
        "neutral fact",
        (NEU,),
        "deploy at 3",
        "standup moved to 10:30",
        "I'll be out of office on Monday",
        "the release branch is cut",
        "meeting notes are in the shared drive",
        "I'm on call this week",
        "the server will restart at midnight",
        "moving the retro to Thursday",
        "the ticket is assigned to Sam",
        "please review my PR when you get a chance",
    ),
    # questions
    *_cases(
        "question",
        (NEU,),
        "who is on call tonight?",
        "is the staging environment up?",
        "can someone review my PR?",
        "where are the meeting notes?",
        "did anyone book the room for Friday?",
        "what's the ETA on the fix?",
    ),
    # emoji, unicode and shortcodes
    *_cases("emoji", (POS,), "shipped :rocket:", "thanks :pray:", "🎉 we launched today"),
    *_cases(
        "emoji",
        (NEG,),
        "the tests are flaky again :face_with_rolling_eyes:",
        "prod is down 😡",
        "missed the deadline 😞",
    ),
    # not English: the bot says it can only read English
    *_cases(
        "non-english",
        (NON_ENGLISH,),
        "c'est nul",
        "das ist wirklich schlecht",
        "muy buen trabajo equipo",
        "la réunion est annulée",
        "grazie mille per l'aiuto",
        "Это ужасно",
    ),
]


@dataclass(frozen=True)
class Outcome:
    case: Case
    label: str

    @property
    def passed(self) -> bool:
        return self.label in self.case.accepted


def score(classifier, cases: list[Case] = CASES) -> tuple[float, list[Outcome]]:
    """(pass rate, every outcome) of ``classifier.predict`` on ``cases``, in one batch; a text
    the bot's language check calls not English is answered NON_ENGLISH, as the bot would."""
    from bot.language import looks_non_english

    predictions = classifier.predict([c.text for c in cases])
    if len(predictions) != len(cases):
        raise ValueError(f"{len(predictions)} predictions for {len(cases)} texts")
    outcomes = [
        Outcome(c, NON_ENGLISH if looks_non_english(c.text) else p.label)
        for c, p in zip(cases, predictions, strict=True)
    ]
    return sum(o.passed for o in outcomes) / len(outcomes), outcomes


def describe_failures(outcomes: list[Outcome]) -> str:
    return "\n".join(
        f"  [{o.case.kind}] {o.case.text!r}: got {o.label}, expected {'/'.join(o.case.accepted)}"
        for o in outcomes
        if not o.passed
    )
