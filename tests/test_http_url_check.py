"""The HttpUrl field's URL check accepts and refuses exactly what marshmallow's validate.URL does, with its message."""
import random

import pytest
from marshmallow import ValidationError, validate

from webhook.schemas.fields import HttpUrl, HttpUrlCheck

PIECES = (
    "http", "https", "HTTPS", "ftp", "file", "javascript", "mailto:", "://", ":/", "//", "/", ":", "@", "user:pw@",
    "example.com", "shop.example.com", "localhost", "127.0.0.1", "999.1.1.1", "[::1]", "[2001:db8::1]", "[zz]",
    "xn--bcher-kva.de", "bücher.de", "a-b", "-a", "a-", ".", "..", "com", ":8080", ":99999", ":x", "?q=1", "#top",
    "/p/1", " ", "\t", "\n", "%20", "%zz", "é", "中文", "a" * 63, "a" * 64, "\x00", "'", "<", ">", "\\", "",
)


def outcome(check, value):
    """Return (accepted, message) for a check on value."""
    try:
        check(value)
    except ValidationError as exc:
        return False, exc.messages
    return True, None


def checks():
    """Return marshmallow's URL check and ours, built as the HttpUrl field builds them."""
    error = HttpUrl().error_messages["invalid"]
    return (validate.URL(schemes={"http", "https"}, require_tld=False, error=error),
            HttpUrlCheck(schemes={"http", "https"}, require_tld=False, error=error))


def test_the_field_uses_the_cheaper_check():
    assert isinstance(HttpUrl().validators[0], HttpUrlCheck)


def test_random_urls_get_marshmallows_answer_and_message():
    theirs, ours = checks()
    draw = random.Random(18)
    urls = ["https://shop.example.com/p/1", "http://localhost:5000/x?y=1#z", "https://[::1]/", "http://a", ""]
    for _ in range(30000):
        parts = [draw.choice(PIECES) for _ in range(draw.randrange(1, 7))]
        if draw.random() < 0.6:
            parts[:0] = [draw.choice(("http", "https", "HtTp", "ftp")), "://"]
        urls.append("".join(parts))
    accepted = 0
    for url in urls:
        expected = outcome(theirs, url)
        assert outcome(ours, url) == expected, repr(url)
        accepted += expected[0]
    assert 1000 < accepted < len(urls) - 1000  # both kinds of answer were compared


def test_file_urls_are_refused_as_a_configuration():
    with pytest.raises(ValueError):
        HttpUrlCheck(schemes={"file", "http"})
