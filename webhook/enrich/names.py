"""Split full names and guess names from email addresses with an offline name list."""

import functools
import importlib
import re
import unicodedata

# Faker's person providers are MIT licensed; these locales are Latin-script and
# cover most shoppers' names without the rare entries of Faker's generic "en".
NAME_LOCALES = ("en_US", "en_GB", "en_IE", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "sv_SE")

ROLE_WORDS = frozenset("""
    info sales support admin administrator noreply donotreply reply orders order billing contact
    hello hi team office mail mailer help service services webmaster postmaster hostmaster
    marketing newsletter newsletters news accounts account accounting hr jobs careers test
    testing shop store customerservice customercare care enquiries inquiries feedback
    press security privacy abuse legal finance payments invoice invoices receipts returns
    refunds bookings reservations notifications alerts root user guest demo example sample
    bounce owner manager webshop ecommerce
""".split())

# "Sr" leads as Señor and trails as Senior, so it is in both sets.
HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir madam mme mlle herr frau sr sra srta".split())
SUFFIXES = frozenset("jr sr ii iii iv phd md esq dds".split())
PARTICLES = frozenset("van von der den de del della dei degli di da das do dos du la le los las ter ten zu bin ibn al el y".split())
COMPANY_WORDS = frozenset("""
    inc incorporated llc ltd limited corp corporation co company gmbh plc llp pty
    srl sarl bv ag sa nv oy ab kg ohg ug spa
""".split())
# Words that start a "name" field but mean nobody in particular.
NOT_A_PERSON = ROLE_WORDS | {"customer", "client", "unknown", "anonymous", "none", "null", "na", "nobody"}

MAX_WORDS = 7
MAX_NAME_WORDS = 4
MAX_NAME_LENGTH = 200
_NAME_TEXT = re.compile(r"[^\W\d_]+(?:[-'’. ]+[^\W\d_]+)*\.?")
_URL = re.compile(r"://|www\.|\.(?:com|net|org|io|co)\b", re.IGNORECASE)


def _key(word):
    """Fold a word to lower-case ASCII letters for comparing with the name list."""
    word = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in word if c.isascii() and c.isalpha())


@functools.cache
def name_lists():
    """Load the first- and last-name sets from Faker's providers (once per process)."""
    first, last = set(), set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, into in (("first_names", first), ("first_names_male", first),
                           ("first_names_female", first), ("last_names", last)):
            for name in getattr(provider, attr, ()):
                # Multi-word entries ("Anthony Gabriel") are two names, not one.
                if " " not in name:
                    into.add(_key(name))
    first.discard("")
    last.discard("")
    return frozenset(first), frozenset(last)


def capitalise_given(name: str) -> str:
    """Trim an explicitly given name; its capitalisation is the sender's to choose."""
    return " ".join(name.split())


def split_full_name(text: str) -> tuple[str, str | None] | None:
    """Split a person's full name into (first, last or None); None if it isn't one."""
    if not isinstance(text, str) or len(text) > MAX_NAME_LENGTH:
        return None  # no one is called a megabyte, and splitting one costs seconds
    text = " ".join(text.split())
    if not text or "@" in text or _URL.search(text) or any(c.isdigit() for c in text):
        return None
    parts = [part.strip() for part in text.split(",")]
    parts = [part for part in parts if part and not _only_affixes(part.split())]
    if not parts or len(parts) > 2 or not all(_NAME_TEXT.fullmatch(part) for part in parts):
        return None
    if len(parts) == 2:
        # "Smith, John Paul": the sender marked the surname; more given names are middle names.
        last_words, first_words = (_strip_affixes(part.split()) for part in parts)
        if not _looks_like_person(first_words[:1] + last_words):
            return None
        first, rest = first_words[0], last_words
    else:
        words = _strip_affixes(parts[0].split())
        if not _looks_like_person(words) or (len(words) == 1 and words[0] != parts[0].split()[0]):
            # "Mr Smith": the one word left after an honorific is a surname.
            return None
        # A lone middle initial ("John Q. Smith") would otherwise become the surname's start.
        first, rest = words[0], [w for w in words[1:-1] if len(w.rstrip(".")) > 1] + words[1:][-1:]
    if _needs_capitalising(text):
        first, rest = _capitalise_words([first])[0], _capitalise_words(rest, particles=True)
    return first, " ".join(rest) or None


def _only_affixes(words):
    """Tell whether a comma-separated part is only titles or suffixes ("Jr.")."""
    return all(w.rstrip(".").lower() in HONORIFICS | SUFFIXES for w in words)


def _strip_affixes(words):
    """Drop leading honorifics and trailing suffixes such as Jr or III."""
    words = list(words)
    while len(words) > 0 and words[0].rstrip(".").lower() in HONORIFICS:
        words.pop(0)
    while len(words) > 1 and words[-1].rstrip(".").lower() in SUFFIXES:
        words.pop()
    return words


def _looks_like_person(words):
    """Reject company names, role words and word salads."""
    keys = [w.rstrip(".").lower() for w in words]
    if any(k in COMPANY_WORDS for k in keys) or keys[0] in NOT_A_PERSON:
        return False
    named = [k for k in keys if k not in PARTICLES]
    return len(words) <= MAX_WORDS and 0 < len(named) <= MAX_NAME_WORDS


def _needs_capitalising(text):
    """Recapitalise only all-lower or ALL-UPPER text; mixed case is the person's own."""
    letters = [c for c in text if c.isalpha()]
    return all(c.islower() for c in letters) or all(c.isupper() for c in letters)


def _capitalise_words(words, particles=False):
    """Capitalise name words: O'Brien, McDonald, Mary-Jane; particles stay lower-case."""
    return [w.lower() if particles and w.lower() in PARTICLES else _capitalise_word(w) for w in words]


def _capitalise_word(word):
    """Capitalise each hyphen- or apostrophe-separated piece of one word."""
    pieces = re.split(r"([-'’])", word.lower())
    pieces = [p[:1].upper() + p[1:] for p in pieces]
    pieces = [f"Mc{p[2].upper()}{p[3:]}" if p.startswith("Mc") and len(p) > 3 else p for p in pieces]
    return "".join(pieces)


def names_from_email(email: str) -> tuple[str, str | None] | None:
    """Guess (first, last or None) from an address's local part; None for role or junk."""
    if not isinstance(email, str) or "@" not in email:
        return None
    local = email.rpartition("@")[0].split("+", 1)[0].strip('" ')
    parts = [_key(p.rstrip("0123456789")) if p.rstrip("0123456789").isalpha() else None
             for p in re.split(r"[._-]+", local) if p.rstrip("0123456789")]
    if not parts or None in parts or "".join(parts) in ROLE_WORDS or ROLE_WORDS.intersection(parts):
        return None
    if len(parts) == 1:
        return _from_single_word(parts[0])
    return _from_words(parts)


def _from_single_word(word):
    """Name a one-word local part: a known first name, or first+last glued together."""
    first_names, last_names = name_lists()
    if word in first_names:
        return _capitalise_word(word), None
    # A known surname on its own ("bradford") must not be split into "Brad Ford".
    if word in last_names:
        return None
    splits = [(word[:i], word[i:]) for i in range(2, len(word) - 2)
              if word[:i] in first_names and word[i:] in last_names]
    if len(splits) != 1:
        return None
    first, last = splits[0]
    return _capitalise_word(first), _capitalise_word(last)


def _from_words(words):
    """Name a separated local part: first.last, or last.first when the list is sure."""
    first_names, last_names = name_lists()
    # Middle initials carry no name; a leading initial leaves no first name to show.
    words = words[:1] + [w for w in words[1:-1] if len(w) > 1] + words[-1:]
    if len(words[0]) < 2 or not all(map(_pronounceable, words)):
        return None
    first, rest = words[0], words[1:]
    if len(words) == 2 and first in last_names and first not in first_names and rest[0] in first_names:
        first, rest = rest[0], [first]
    elif first not in first_names and (first in last_names or len(rest) != 1 or rest[0] not in last_names):
        # An unknown first word passes only before a known surname ("xavi.smith").
        return None
    if len([w for w in rest if w not in PARTICLES]) not in (1, 2):
        return None
    return _capitalise_word(first), " ".join(_capitalise_words(rest, particles=True))


def _pronounceable(word):
    """Tell a name-shaped word from a random string by its vowels and consonant runs."""
    if len(word) == 1:
        return True
    return (bool(re.search(r"[aeiouy]", word)) and not re.search(r"[^aeiouy]{5,}", word)
            and not re.search(r"[aeiou]{4,}", word) and not re.search(r"(.)\1\1", word))
