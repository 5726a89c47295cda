"""Webhook signatures: check that a call was signed with the notification's secret, as senders really sign."""
import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping

# Stripe's and Standard Webhooks' default: a signed call older (or newer) than this is a replay.
TOLERANCE_SECONDS = 5 * 60
WHSEC_PREFIX = "whsec_"


class SignatureError(Exception):
    """A call that is unsigned, or not signed with the notification's secret; the message says which scheme."""


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """Return the raw HMAC-SHA256 of a message."""
    return hmac.new(key, message, hashlib.sha256).digest()


def matches_any(expected: bytes, given: list[bytes]) -> bool:
    """Tell whether any given signature equals the expected one, comparing each in constant time."""
    # No short-circuit: every candidate is compared, so timing says nothing about which one was close.
    found = False
    for candidate in given:
        found |= hmac.compare_digest(expected, candidate)
    return found


def decode_base64(text: str) -> bytes | None:
    """Return the bytes of a base64 string, or None if it is not valid base64."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_hex(text: str) -> bytes | None:
    """Return the bytes of a hex string, or None if it is not valid hex."""
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        return None


def check_fresh(scheme: str, timestamp: str, now: float) -> None:
    """Refuse a signature timestamp that isn't a whole number or is more than 5 minutes off our clock."""
    text = timestamp.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise SignatureError(f"{scheme}: the signature's timestamp is not a number of seconds.")
    if abs(now - int(text)) > TOLERANCE_SECONDS:
        raise SignatureError(
            f"{scheme}: the signature's timestamp is more than {TOLERANCE_SECONDS // 60} minutes from our clock"
            " (a replay, or the sender's clock is wrong)."
        )


def base64_body_hmac(scheme: str) -> Callable:
    """Return a verifier for 'base64 of HMAC-SHA256(secret, body)' (Shopify, WooCommerce)."""

    def verify_scheme(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
        """Check a base64 HMAC-SHA256 of the raw body."""
        given = decode_base64(value)
        expected = hmac_sha256(secret.encode("utf-8"), body)
        if given is None or not hmac.compare_digest(expected, given):
            raise SignatureError(f"{scheme}: the signature does not match this body and the signing secret.")

    return verify_scheme


def standard_webhooks_key(secret: str) -> bytes:
    """Return the HMAC key of a Standard Webhooks secret: base64 after an optional `whsec_` prefix."""
    # As the spec's reference libraries do, the key is the base64-decoded secret with or without the prefix;
    # a secret that isn't base64 at all (someone's own passphrase) is used as its UTF-8 bytes instead.
    # (Stripe's secrets start with whsec_ too, but Stripe keys its HMAC with the whole string.)
    encoded = secret[len(WHSEC_PREFIX):] if secret.startswith(WHSEC_PREFIX) else secret
    return decode_base64(encoded) or secret.encode("utf-8")


def verify_standard(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
    """Check Standard Webhooks: `webhook-signature: v1,<base64> …` over "{id}.{timestamp}.{body}"."""
    # Svix, the reference sender, names the same headers svix-id, svix-timestamp, svix-signature.
    message_id = headers.get("webhook-id") or headers.get("svix-id")
    timestamp = headers.get("webhook-timestamp") or headers.get("svix-timestamp")
    if not message_id or not timestamp:
        raise SignatureError("Standard Webhooks: webhook-id and webhook-timestamp headers are required.")
    check_fresh("Standard Webhooks", timestamp, now)
    signatures = [decode_base64(sig) for version, _, sig in (p.partition(",") for p in value.split()) if version == "v1"]
    signatures = [s for s in signatures if s is not None]
    if not signatures:
        raise SignatureError("Standard Webhooks: expected `webhook-signature: v1,<base64 signature>`.")
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + body
    if not matches_any(hmac_sha256(standard_webhooks_key(secret), signed), signatures):
        raise SignatureError("Standard Webhooks: no v1 signature matches this body and the signing secret.")


def timestamped_hex_hmac(scheme: str, pair_separator: str, timestamp_key: str, joiner: str, version: str) -> Callable:
    """Return a verifier for "<ts>=<seconds><sep><version>=<hex>[<sep>…]" over "{ts}{joiner}{body}".

    Stripe, Paddle and Calendly; any of several signatures may match (a secret being rotated), others are ignored.
    """
    expected_form = f"`{timestamp_key}=<timestamp>{pair_separator}{version}=<hex signature>`"

    def verify_scheme(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
        """Check a fresh timestamp and any hex signature over the timestamp and the raw body."""
        pairs = [part.partition("=") for part in value.split(pair_separator)]
        timestamps = [v.strip() for k, _, v in pairs if k.strip() == timestamp_key]
        signatures = [decode_hex(v) for k, _, v in pairs if k.strip() == version]
        signatures = [s for s in signatures if s is not None]
        if len(timestamps) != 1 or not signatures:
            raise SignatureError(f"{scheme}: expected {expected_form}.")
        check_fresh(scheme, timestamps[0], now)
        signed = timestamps[0].encode("ascii") + joiner.encode("ascii") + body
        if not matches_any(hmac_sha256(secret.encode("utf-8"), signed), signatures):
            raise SignatureError(f"{scheme}: no {version} signature matches this body and the signing secret.")

    return verify_scheme


def hex_body_hmac(scheme: str) -> Callable:
    """Return a verifier for "hex of HMAC-SHA256(secret, body)" (Lemon Squeezy's X-Signature)."""

    def verify_scheme(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
        """Check a hex HMAC-SHA256 of the raw body."""
        given = decode_hex(value)
        if given is None or not hmac.compare_digest(hmac_sha256(secret.encode("utf-8"), body), given):
            raise SignatureError(f"{scheme}: the signature does not match this body and the signing secret.")

    return verify_scheme


def verify_typeform(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
    """Check `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>`."""
    algorithm, _, digest = value.strip().partition("=")
    if algorithm.strip().lower() != "sha256":
        raise SignatureError("Typeform-Signature: expected `sha256=<base64 HMAC-SHA256 of the body>`.")
    base64_body_hmac("Typeform-Signature")(digest, headers, body, secret, now)


def verify_proofhook(value: str, headers: Mapping, body: bytes, secret: str, now: float) -> None:
    """Check `X-Proofhook-Signature: sha256=<hex HMAC-SHA256 of the body>`."""
    algorithm, _, digest = value.strip().partition("=")
    given = decode_hex(digest) if algorithm.strip().lower() == "sha256" else None
    if given is None:
        raise SignatureError("X-Proofhook-Signature: expected `sha256=<hex HMAC-SHA256 of the body>`.")
    if not hmac.compare_digest(hmac_sha256(secret.encode("utf-8"), body), given):
        raise SignatureError("X-Proofhook-Signature: the signature does not match this body and the signing secret.")


# Header (lower case) → its verifier, in the order they are looked for: the first header present decides. The
# header is also the scheme's name: a notification is bound to the one its first valid call used (see verify).
SCHEMES = {
    "x-shopify-hmac-sha256": base64_body_hmac("X-Shopify-Hmac-Sha256"),
    "x-wc-webhook-signature": base64_body_hmac("X-WC-Webhook-Signature"),
    "stripe-signature": timestamped_hex_hmac("Stripe-Signature", ",", "t", ".", "v1"),
    "webhook-signature": verify_standard,
    "svix-signature": verify_standard,
    "x-proofhook-signature": verify_proofhook,
    "paddle-signature": timestamped_hex_hmac("Paddle-Signature", ";", "ts", ":", "h1"),
    "calendly-webhook-signature": timestamped_hex_hmac("Calendly-Webhook-Signature", ",", "t", ".", "v1"),
    "typeform-signature": verify_typeform,
    # Square signs the notification URL followed by the body (see verify).
    "x-square-hmacsha256-signature": base64_body_hmac("x-square-hmacsha256-signature"),
    # Lemon Squeezy's generic name comes last: a sender with its own header above is checked by that.
    "x-signature": hex_body_hmac("X-Signature"),
}
# Schemes whose signature covers the URL the call was sent to, then the body.
SIGNS_URL = {"x-square-hmacsha256-signature"}


def verify(headers: Mapping, raw_body: bytes, secret: str, now: float, bound: str | None = None, url: str = "") -> str:
    """Accept a call signed with `secret` by one known scheme (only `bound`, if given); return the scheme's name.

    Several schemes HMAC the same bytes with the same key (Stripe's "{t}.{body}" is a body to the others), so
    a signature made for one would pass another: a notification that has been bound to a scheme takes no other.
    `url` is the webhook URL as handed out, which Square signs along with the body.
    """
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    for header, verify_scheme in SCHEMES.items():
        if header in lowered and bound in (None, header):
            signed = url.encode("utf-8") + raw_body if header in SIGNS_URL else raw_body
            verify_scheme(lowered[header], lowered, signed, secret, now)
            return header
    if bound is not None:
        raise SignatureError(
            f"This webhook takes only {bound} signatures (the scheme of its first signed call); send that header,"
            " or set the signing secret again to change the scheme."
        )
    raise SignatureError(
        "This webhook requires a signature: send X-Proofhook-Signature, X-Shopify-Hmac-Sha256,"
        " X-WC-Webhook-Signature, Stripe-Signature, Standard Webhooks' webhook-signature, Paddle-Signature,"
        " X-Signature (Lemon Squeezy), x-square-hmacsha256-signature, Calendly-Webhook-Signature"
        " or Typeform-Signature."
    )
