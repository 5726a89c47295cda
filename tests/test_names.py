import pytest

from webhook.enrich import names
from webhook.enrich.names import capitalise_given, names_from_email, split_full_name


@pytest.mark.parametrize(("text", "expected"), [
    ("John Smith", ("John", "Smith")),
    ("  John   Smith  ", ("John", "Smith")),
    ("Cher", ("Cher", None)),
    ("o'brien", ("O'Brien", None)),
    ("mary o'brien", ("Mary", "O'Brien")),
    ("patrick mcdonald", ("Patrick", "McDonald")),
    ("MARY-JANE SMITH", ("Mary-Jane", "Smith")),
    ("mary-jane smith", ("Mary-Jane", "Smith")),
    ("Anna van der Berg", ("Anna", "van der Berg")),
    ("anna van der berg", ("Anna", "van der Berg")),
    ("ANNA VAN DER BERG", ("Anna", "van der Berg")),
    ("Smith, John", ("John", "Smith")),
    ("SMITH, JOHN", ("John", "Smith")),
    ("van der Berg, Anna", ("Anna", "van der Berg")),
    ("Smith, John Paul", ("John", "Smith")),
    ("Dr. John Smith", ("John", "Smith")),
    ("Mrs Jane Doe", ("Jane", "Doe")),
    ("John Smith Jr.", ("John", "Smith")),
    ("John Smith, Jr.", ("John", "Smith")),
    ("Henry Ford III", ("Henry", "Ford")),
    ("John Q. Smith", ("John", "Smith")),
    ("Juan García López", ("Juan", "García López")),
    ("José garcía", ("José", "garcía")),  # mixed case is the person's own
    ("DeShawn McKenzie", ("DeShawn", "McKenzie")),
])
def test_split_full_name(text, expected):
    assert split_full_name(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", None, 42, "ACME Inc", "Acme Inc.", "Widgets LLC", "Foo Ltd", "Müller GmbH",
    "john@example.com", "John Smith 2", "R2D2", "https://example.com", "www.example.com",
    "example.com", "Customer Support", "Sales Team", "info", "Mr Smith", "Dr",
    "Anna Maria Luisa Sofia Elena Rossi", "one two three four five six seven eight",
    "John & Mary Smith", "John/Smith", "a_b",
])
def test_split_full_name_rejects_what_is_not_a_person(text):
    assert split_full_name(text) is None


@pytest.mark.parametrize(("email", "expected"), [
    ("john.smith@example.com", ("John", "Smith")),
    ("john_smith@example.com", ("John", "Smith")),
    ("john-smith@example.com", ("John", "Smith")),
    ("John.Smith@example.com", ("John", "Smith")),
    ("john_smith99@example.com", ("John", "Smith")),
    ("john.smith+shop@example.com", ("John", "Smith")),
    ("john.smith.2019@example.com", ("John", "Smith")),
    ("smith.john@example.com", ("John", "Smith")),
    ("jones.mary@example.com", ("Mary", "Jones")),
    ("johnsmith@example.com", ("John", "Smith")),
    ("maryjones@example.com", ("Mary", "Jones")),
    ("johnsmith1985@example.com", ("John", "Smith")),
    ("john@example.com", ("John", None)),
    ("john+tag@example.com", ("John", None)),
    ("john123@example.com", ("John", None)),
    ("danielle@example.com", ("Danielle", None)),  # a known first name is not "Daniel Le"
    ("john.s@example.com", ("John", "S")),
    ("john.q.smith@example.com", ("John", "Smith")),
    ("anna.van.der.berg@example.com", ("Anna", "van der Berg")),
    ("patrick.mcdonald@example.com", ("Patrick", "McDonald")),
    ("jose.garcia@example.com", ("Jose", "Garcia")),
    ("xavi.smith@example.com", ("Xavi", "Smith")),
    ("john.kowalczyk@example.com", ("John", "Kowalczyk")),
])
def test_names_from_email(email, expected):
    assert names_from_email(email) == expected


@pytest.mark.parametrize("local", [
    "info", "sales", "support", "admin", "noreply", "no-reply", "no_reply", "donotreply",
    "do-not-reply", "orders", "billing", "contact", "hello", "team", "office", "mail", "help",
    "service", "webmaster", "postmaster", "marketing", "newsletter", "accounts", "hr", "jobs",
    "test", "info2", "sales.team", "customer.service", "support+tickets",
])
def test_role_addresses_give_no_name(local):
    assert names_from_email(f"{local}@example.com") is None


@pytest.mark.parametrize("local", [
    "xk29fj", "a8f7d6e5", "qwrtzp", "zzzzzz", "12345", "x", "j.smith", "smith.jones",
    "order.confirmation", "bradford", "xkcdq.smith", "john.xkcdqz",
])
def test_junk_and_unclear_addresses_give_no_name(local):
    assert names_from_email(f"{local}@example.com") is None


@pytest.mark.parametrize("value", [None, "", "no-at-sign", 12])
def test_names_from_email_needs_an_address(value):
    assert names_from_email(value) is None


def test_capitalise_given_only_trims():
    assert capitalise_given("  mary  jane ") == "mary jane"
    assert capitalise_given("McDONALD") == "McDONALD"


def test_name_list_is_loaded_once_and_is_big():
    first, last = names.name_lists()
    names_from_email("maryjones@example.com")
    names_from_email("peter.parker@example.com")
    assert names.name_lists() is names.name_lists()
    assert names.name_lists.cache_info().misses == 1
    assert len(first) > 3000 and len(last) > 5000
    assert {"john", "mary", "jose", "zoe"} <= first
    assert {"smith", "jones", "garcia", "muller"} <= last
