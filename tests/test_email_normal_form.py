import random
import string

import pytest
from email_validator import EmailNotValidError, validate_email

from webhook.enrich.emails import normalized_email

EDGE_CASES = [
    "john@example.com", "John.Smith@EXAMPLE.COM", "a+tag@Sub.Example.com", "o'brien@example.com",
    "x!#$%&'*+/=?^_`{|}~-y@example.com", ".john@example.com", "john.@example.com", "jo..hn@example.com",
    "a" * 64 + "@example.com", "a" * 65 + "@example.com", "a@" + "b" * 63 + "." + "c" * 180 + ".com",
    "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".com", "john@localhost", "john@example.invalid", "john@exa_mple.com",
    "john@", "@example.com", "john@@example.com", "john smith@example.com", '"john smith"@example.com',
    "jöhn@example.com", "john@bücher.de", "JOHN@BÜCHER.DE", "john@xn--bcher-kva.de", "john@example..com",
    "john@-example.com", "john@example.com.", "john@[127.0.0.1]", "john@123.123.123.123", "",
]


def outcome(function, text):
    """Return what a validator makes of text: its normal form, or the error it raises."""
    try:
        return function(text)
    except EmailNotValidError as exc:
        return ("invalid", str(exc))


def reference(text):
    """Return email-validator's own answer."""
    return validate_email(text, check_deliverability=False).normalized


@pytest.mark.parametrize("text", EDGE_CASES)
def test_normal_form_is_email_validators(text):
    assert outcome(normalized_email, text) == outcome(reference, text)


def test_normal_form_matches_on_random_addresses():
    rng = random.Random(6)
    local_chars = string.ascii_letters + string.digits + ".+-_'!~ \"é"
    domain_chars = string.ascii_letters + string.digits + ".-_ü"
    for _ in range(500):
        local = "".join(rng.choice(local_chars) for _ in range(rng.randint(0, 70)))
        domain = "".join(rng.choice(domain_chars) for _ in range(rng.randint(0, 20))) + rng.choice([".com", ".de", ""])
        text = f"{local}@{domain}"
        assert outcome(normalized_email, text) == outcome(reference, text), text
