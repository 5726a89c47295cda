"""Typeform responses: a form_response is a sign-up, named from its own answers.

Recognised by event_type form_response with a form_response object. The email is the first answer of
type email (or a short text that is an address, as older forms ask it); the name is the first text
answer to a question whose title asks for a name ("Your Name and Surname", "First name"), or a hidden
field called name. Dedup key: the response's token. Typeform's signature (Typeform-Signature:
sha256=<base64>) is checked when the notification has a signing secret.
"""

import re

from .common import Mapped, full_name, lookup, present, text, tidy

NAME = "typeform"
KIND = "a Typeform response"  # what a proof page calls its events
NAME_QUESTION = re.compile(r"\bname\b", re.IGNORECASE)
FIRST_NAME_QUESTION = re.compile(r"\bfirst\b", re.IGNORECASE)
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def detect(headers: dict, data: dict) -> bool:
    """Tell whether Typeform sent this."""
    return data.get("event_type") == "form_response" and isinstance(data.get("form_response"), dict)


def listed(data: dict, path: str) -> list[dict]:
    """Return the objects of the list at a path (nothing if it isn't a list)."""
    items = lookup(data, path)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def answers(response: dict) -> list[tuple[str, str, str]]:
    """Return (question title, answer type, answer text) for each text or email answer."""
    titles = {
        text(field.get("id")): str(field.get("title") or "") for field in listed(response, "definition.fields")
    }
    found = []
    for answer in listed(response, "answers"):
        kind = text(answer.get("type"))
        if isinstance(answer.get(kind), str):
            found.append((titles.get(text(lookup(answer, "field.id")), ""), kind, answer[kind]))
    return found


def person(response: dict) -> dict:
    """Find the respondent's email and name among the answers (and hidden fields)."""
    given = answers(response)
    email = next((value for _, kind, value in given if kind == "email"), None) or next(
        (value.strip() for _, kind, value in given if kind == "text" and ADDRESS.fullmatch(value.strip())), None
    )
    named = [(title, value) for title, kind, value in given if kind == "text" and NAME_QUESTION.search(title)]
    fields = {"email": email}
    if named:
        title, value = named[0]
        fields |= {"firstName": value.strip()} if FIRST_NAME_QUESTION.search(title) else full_name(value)
    elif present(lookup(response, "hidden.name")):
        fields |= full_name(lookup(response, "hidden.name"))
    return fields


def convert(headers: dict, data: dict) -> Mapped:
    """Map a Typeform response to our vocabulary."""
    response = data["form_response"]
    fields = person(response) | {"timestamp": text(response.get("submitted_at")), "id": response.get("token")}
    return Mapped(NAME, tidy(fields))
