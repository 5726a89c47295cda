import pytest

from webhook.enrich.emails import find_email, email_or_none


@pytest.mark.parametrize(("text", "expected"), [
    ("john@example.com", "john@example.com"),
    ("  John.Smith@EXAMPLE.COM ", "John.Smith@example.com"),
    ("a+tag@Sub.Example.com", "a+tag@sub.example.com"),
])
def test_normalize_email(text, expected):
    assert email_or_none(text) == expected


@pytest.mark.parametrize("text", [
    None, 5, "", "john", "john@", "@example.com", "john@localhost", "john@@example.com",
    "john smith@example.com", "John <john@example.com>", "x@example.invalid", "a" * 250 + "@example.com",
])
def test_normalize_email_rejects_invalid(text):
    assert email_or_none(text) is None


def test_top_level_email():
    assert find_email({"email": "john@example.com"}) == ("john@example.com", "email")


def test_nested_array_path_uses_numeric_indexes():
    data = {"customer": {"contacts": [{"phone": "555"}, {"type": "work", "email": "Jane@Example.com"}]}}
    assert find_email(data) == ("Jane@example.com", "customer.contacts.1.email")


def test_email_named_keys_win_over_other_strings_even_when_deeper():
    data = {"note": "ops@example.com", "customer": {"receipt_email": "buyer@example.com"}}
    assert find_email(data) == ("buyer@example.com", "customer.receipt_email")


def test_shallowest_email_key_wins():
    data = {"order": {"customer": {"email": "deep@example.com"}}, "billing": {"email": "shallow@example.com"}}
    assert find_email(data) == ("shallow@example.com", "billing.email")


@pytest.mark.parametrize("key", [
    "email", "Email", "EMAIL", "e_mail", "E-Mail", "emailAddress", "email_address", "customer_email",
    "receipt_email", "receiptEmail", "billingEmail", "payer_email", "Email Address", "mail",
])
def test_email_like_keys(key):
    data = {"other": "first@example.com", "wrapper": {key: "named@example.com"}}
    assert find_email(data) == ("named@example.com", f"wrapper.{key}")


@pytest.mark.parametrize("key", ["gmail", "emailVerified", "email_marketing_consent", "female"])
def test_keys_that_only_contain_mail_are_not_email_keys(key):
    data = {"wrapper": {key: "x@example.com"}, "deeper": {"contact": {"email": "y@example.com"}}}
    assert find_email(data) == ("y@example.com", "deeper.contact.email")


def test_invalid_email_key_value_falls_through_to_any_valid_string():
    data = {"email": "not an address", "items": [{"sku": "A1"}, {"owner": "owner@example.com"}]}
    assert find_email(data) == ("owner@example.com", "items.1.owner")


def test_top_level_array_payload():
    assert find_email([{"x": 1}, {"contact": "a@example.com"}]) == ("a@example.com", "1.contact")


@pytest.mark.parametrize("data", [{}, [], {"a": {"b": [1, None, True]}}, {"email": ""}, "x@example.com", None])
def test_no_email_found(data):
    assert find_email(data) is None
