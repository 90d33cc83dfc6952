"""Slack's request signature, checked on the raw bytes before anything is decoded or parsed.

Bolt verifies too, but only after decoding the body as UTF-8 and with ``int(timestamp)``, so a
non-numeric timestamp or invalid UTF-8 became a 500 with a traceback, and a failed check logged
the whole body at INFO. Checking here first means every unverified request gets 401 and one
short log line, and only signed bytes are ever decoded. The algorithm is Slack's
(https://docs.slack.dev/authentication/verifying-requests-from-slack/): ``v0=`` + hex
HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret; timestamps more than five
minutes away from now are refused (replays). Tests check it against slack_sdk's
``SignatureVerifier``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

#: Slack's replay window.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
_MAX_TIMESTAMP_DIGITS = 12
_SIGNATURE_LENGTH = len("v0=") + 64


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=<hex>`` for ``body`` sent at ``timestamp`` (what Slack puts in X-Slack-Signature)."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verification_failure(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
) -> str | None:
    """None if the request is signed by Slack, else a short reason fit for a log line."""
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return "malformed timestamp"
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "stale timestamp"
    if len(signature) != _SIGNATURE_LENGTH or not signature.isascii():
        return "malformed signature"
    if not hmac.compare_digest(signature_for(secret, timestamp, body), signature):
        return "bad signature"
    return None
