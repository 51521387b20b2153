"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the subscription's secret.

The receiver recomputes the HMAC from the raw body and the timestamp header, compares in
constant time and refuses old timestamps, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Newsradar-Signature"
TIMESTAMP_HEADER = "X-Newsradar-Timestamp"
SCHEME = "sha256"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header's value: ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def signed_headers(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(body, secret, timestamp),
    }


def verify(
    body: bytes,
    secret: str,
    timestamp: str,
    signature: str,
    now: float,
    tolerance_s: float = 300.0,
) -> bool:
    """True when ``signature`` is ours for this body and the timestamp is recent."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance_s:
        return False
    return hmac.compare_digest(sign(body, secret, ts), signature)
