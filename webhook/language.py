"""The visitor's language: our few sentences (one gettext catalogue per language), CLDR plurals, time ago, places."""
import functools
import gettext
import io
from datetime import timedelta
from pathlib import Path

import pycountry
from babel import Locale
from babel.dates import format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "en"
# The languages popups speak: one catalogue each in locales/ (README, "Languages").
SUPPORTED = tuple(sorted(path.stem for path in LOCALES.glob("*.po")))
# A new notification's message when none is given; also keys of the catalogues, so they are shown translated.
DEFAULT_MESSAGES = {"stream": "purchased", "conversion": "signed up"}
# What a browser may ask for that names a supported language another way ("no" is Norwegian Bokmål to most sites).
ALIASES = {"no": "nb", "nn": "nb", "iw": "he"}


@functools.cache
def translations(language: str) -> gettext.GNUTranslations:
    """Return a language's catalogue, compiled in memory from its .po file (once per process)."""
    with (LOCALES / f"{language}.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.cache
def state_names(language: str) -> gettext.NullTranslations:
    """Return pycountry's translations of ISO 3166-2 subdivision names (US states among them) into a language."""
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def supported(tag: str | None) -> str | None:
    """Return the supported language a BCP 47 tag names ("de-AT" → "de", "zh-Hant" → "zh"), or None."""
    if not tag or not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    primary = ALIASES.get(primary, primary)
    return primary if primary in SUPPORTED else None


def language_name(language: str) -> str:
    """Return a language's own name for itself, "Deutsch" for de (CLDR's), for the settings' list."""
    return Locale.parse(language).get_display_name(language).capitalize()


def text_direction(language: str) -> str:
    """Return "rtl" for a right-to-left language (Arabic, Hebrew), else "ltr", from CLDR."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def pattern(language: str, message: str) -> str:
    """Return one of our sentences in a language, its {placeholders} left for the caller (or the widget)."""
    return translations(language).gettext(message)


def say(language: str, message: str, **values) -> str:
    """Return one of our sentences in a language, with its {placeholders} filled in."""
    return pattern(language, message).format(**values)


def say_count(language: str, singular: str, plural: str, count: int, **values) -> str:
    """Return a sentence in the plural form CLDR gives `count` in this language, the count written its way."""
    sentence = translations(language).ngettext(singular, plural, count)
    return sentence.format(count=number(language, count), **values)


def number(language: str, count: int) -> str:
    """Return a whole number as the language writes it ("1.234" in German)."""
    return format_decimal(count, locale=language)


def ago(language: str, seconds: int, unit: str) -> str:
    """Return "3 minutes ago" for a whole number of seconds counted in `unit` (minute, hour, day), from CLDR."""
    # The caller has already rounded down to the unit; a huge threshold keeps Babel from rounding it to another.
    return format_timedelta(
        timedelta(seconds=-seconds), granularity=unit, threshold=10**9, add_direction=True, locale=language
    )


def country_name(language: str, code: str | None, stored: str | None) -> str | None:
    """Return a country's name in a language (CLDR's), or the stored name when the code is unknown."""
    if language != DEFAULT and code:
        return Locale.parse(language).territories.get(code.upper(), stored)
    return stored


def state_name(language: str, country_code: str | None, state_code: str | None, stored: str | None) -> str | None:
    """Return a US state's name in a language (pycountry's translation), else the stored name."""
    if language == DEFAULT or country_code != "US" or not stored:
        return stored
    subdivision = pycountry.subdivisions.get(code=f"US-{state_code}") if state_code else None
    english = subdivision.name if subdivision else stored
    translated = state_names(language).gettext(english)
    return stored if translated == english else translated
