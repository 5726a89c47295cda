"""Turn a webhook request body into a plain dict, choosing the parser by mimetype."""

import codecs
import json
import math
import re
import sys
from urllib.parse import parse_qsl

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder

ACCEPTED_TYPES = (
    "application/json",
    "application/*+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
)
MAX_DEPTH = 32
MAX_INDEX = 1000
MAX_FIELDS = 10_000
# What a body may hold, so that reading the worst one within the size limit costs little CPU (figures in the
# README's "Performance"): a real order has hundreds of objects and bracketed form keys, not tens of thousands.
MAX_CONTAINERS = 20_000
MAX_KEY_SEGMENTS = 20_000
MAX_PARTS = 1000

# Canonical codec names we decode. Others are refused: they are never needed
# for webhooks and some (punycode) decode in quadratic time.
_CHARSETS = {
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
    "utf-32", "utf-32-le", "utf-32-be", "ascii", "iso8859-1", "cp1252",
}
_FORM_CHARSET = re.compile(rb"(?:^|&)(?:_charset_|charset)=([A-Za-z0-9_.:-]{1,40})(?=&|$)")
_BRACKETED = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])+)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INDEX = re.compile(r"0|[1-9][0-9]*")
# Only an escape can put a lone surrogate into parsed JSON, and only a long literal can overflow a float.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_HUGE_NUMBER = re.compile(r"[0-9]{309}|[eE]\+?0*[1-9][0-9]{2}")
_KINDS = {
    list: "an array", str: "a string", bool: "a boolean",
    int: "a number", float: "a number", type(None): "null",
}


class BodyError(Exception):
    """A body we cannot read; .status is 400 or 415, .message a sentence for the client."""

    def __init__(self, status: int, message: str):
        """Keep the HTTP status and the client-facing sentence."""
        super().__init__(message)
        self.status = status
        self.message = message


class _Rejected(Exception):
    """Why some text is not acceptable, as a phrase that reads after 'it'."""


class _Indexed(dict):
    """Collect a form list by position; it becomes a real list once the form is read."""

    def __init__(self):
        """Start empty, with appends ("[]") going to position 0."""
        super().__init__()
        self.end = 0


def parse_body(body: bytes, content_type: str | None) -> tuple[dict, list[str]]:
    """Return (data, warnings) for a webhook body, or raise BodyError."""
    if not body.strip():
        return {}, []
    mimetype, options = parse_options_header(content_type)
    mimetype = mimetype.lower()
    charset = options.get("charset", "utf-8")
    if mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    ):
        return _json_body(body, charset), []
    if mimetype == "application/x-www-form-urlencoded":
        return _urlencoded_body(body, options.get("charset") or _form_charset(body))
    if mimetype == "multipart/form-data":
        return _multipart_body(body, options)
    if mimetype in ("", "text/plain"):
        return _sniffed_json_body(body, charset, mimetype)
    raise BodyError(
        415, f"The Content-Type {_quote(mimetype)} is not supported; send one of: {_accepted()}."
    )


def _accepted() -> str:
    """List the accepted types for a message."""
    return ", ".join(ACCEPTED_TYPES)


def _quote(text: str) -> str:
    """Show client text in a message, escaped by repr and cut short."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _codec(charset: str) -> str:
    """Return the canonical codec for a charset parameter, or refuse it with a 415."""
    try:
        codec = codecs.lookup(charset).name
    except (LookupError, ValueError):
        codec = None
    if codec not in _CHARSETS:
        raise BodyError(415, f"The charset {_quote(charset)} is not supported; send UTF-8.")
    return codec


def _decode(body: bytes, codec: str) -> str:
    """Decode bytes strictly, allowing a UTF-8 byte order mark."""
    try:
        return body.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise _Rejected(
            f"is not valid {codec}: byte 0x{byte:02x} at position {error.start} cannot be decoded"
        ) from None


def _json_body(body: bytes, charset: str) -> dict:
    """Read a body declared as JSON; it must be one strict JSON object."""
    codec = _codec(charset)
    try:
        value = _load_json(_decode(body, codec), MAX_DEPTH)
    except _Rejected as reason:
        raise BodyError(400, f"The JSON body {reason}.") from None
    if not isinstance(value, dict):
        raise BodyError(400, f"The JSON body must be a JSON object, got {_KINDS[type(value)]}.")
    return value


def _sniffed_json_body(body: bytes, charset: str, mimetype: str) -> tuple[dict, list[str]]:
    """Read a body with no useful Content-Type as JSON if it is a JSON object, else 415."""
    situation = "is sent as text/plain" if mimetype else "has no Content-Type"
    codec = _codec(charset)
    try:
        value = _load_json(_decode(body, codec), MAX_DEPTH)
        if not isinstance(value, dict):
            raise _Rejected(f"is {_KINDS[type(value)]}, not an object")
    except _Rejected as reason:
        raise BodyError(
            415,
            f"The body {situation} and was not read as a JSON object because it {reason}. "
            f"Send Content-Type: application/json, or one of: {_accepted()}.",
        ) from None
    warning = f"The body {situation}, so it was read as JSON; send Content-Type: application/json."
    return value, [warning]


def decode_utf8(body: bytes) -> str:
    """Decode UTF-8 bytes (a byte order mark allowed) for other readers; raise ValueError saying where it fails."""
    try:
        return _decode(body, "utf-8")
    except _Rejected as reason:
        raise ValueError(f"it {reason}") from None


def load_json(text: str, max_depth: int = MAX_DEPTH) -> object:
    """Parse strict JSON as the webhook does, for other readers; raise ValueError saying why it fails."""
    try:
        return _load_json(text, max_depth)
    except _Rejected as reason:
        raise ValueError(f"it {reason}") from None


def _load_json(text: str, max_depth: int) -> object:
    """Parse strict JSON: no NaN, no infinite floats, no duplicate keys, bounded depth and size."""
    # Every object and array costs Python work (the duplicate-key hook, the depth walk): count them first, in C.
    # Brackets inside strings count too, so this errs on the side of refusing only absurd bodies.
    containers = text.count("{") + text.count("[")
    if containers > MAX_CONTAINERS:
        raise _Rejected(f"holds more than {MAX_CONTAINERS} objects and arrays")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
            # The per-number hook only when a number could overflow: it costs a Python call per float.
            **({"parse_float": _finite_float} if _HUGE_NUMBER.search(text) else {}),
        )
    except json.JSONDecodeError as error:
        raise _Rejected(f"is not valid JSON: {error}") from None
    except RecursionError:
        # The C decoder recurses once per level, so this is far beyond max_depth.
        raise _Rejected(f"nests deeper than {max_depth} levels") from None
    except ValueError:
        # int() refuses a literal longer than sys.get_int_max_str_digits().
        limit = sys.get_int_max_str_digits()
        raise _Rejected(f"contains an integer with more than {limit} digits") from None
    check_text = _SURROGATE_ESCAPE.search(text) is not None
    if check_text or containers > max_depth:  # fewer containers than levels can't nest too deep
        _check_tree(value, max_depth, check_text)
    return value


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build a JSON object, refusing a key given twice (json would keep the last silently)."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _Rejected(f"repeats the key {_quote(key)} in one object")
            seen.add(key)
    return obj


def _no_constant(name: str) -> None:
    """Refuse NaN, Infinity and -Infinity, which Python's json accepts but JSON does not."""
    raise _Rejected(f"contains {name}, which JSON does not allow")


def _finite_float(literal: str) -> float:
    """Parse a JSON number, refusing one too large for a float (1e400 would become inf)."""
    value = float(literal)
    if math.isinf(value):
        raise _Rejected(f"contains the number {_quote(literal)}, which is too large")
    return value


def _check_tree(value: object, max_depth: int, check_text: bool) -> None:
    """Refuse nesting beyond max_depth (and, if asked, lone surrogates), walking only containers, without recursion."""
    if not isinstance(value, (dict, list)):
        if check_text and isinstance(value, str):
            _check_text(value)
        return
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
            continue
        if depth > max_depth:
            raise _Rejected(f"nests deeper than {max_depth} levels")
        children = node.values() if isinstance(node, dict) else node
        if check_text and isinstance(node, dict):
            stack.extend((key, depth) for key in node)
        walked = _WALKED[check_text]
        stack.extend([(child, depth + 1) for child in children if child.__class__ in walked])


# What the tree walk visits below a container: objects and arrays, and strings when they may hold a surrogate.
_WALKED = {False: {dict, list}, True: {dict, list, str}}


def _check_text(text: str) -> None:
    """Refuse a lone surrogate such as \\ud800: it would crash UTF-8 encoding later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Rejected(
            "contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
        ) from None


def _form_charset(body: bytes) -> str:
    """Return the charset a form names in its own charset or _charset_ field (PayPal's IPN does), else UTF-8."""
    # PayPal sends IPN in the account's encoding, windows-1252 by default, with no charset in its Content-Type.
    found = _FORM_CHARSET.search(body)
    if found:
        try:
            return _codec(found[1].decode("ascii"))
        except BodyError:
            pass  # a charset we don't decode: read it as UTF-8, which refuses it if it really isn't
    return "utf-8"


def _urlencoded_body(body: bytes, charset: str) -> tuple[dict, list[str]]:
    """Read an application/x-www-form-urlencoded body into nested fields."""
    codec = _codec(charset)
    try:
        text = _decode(body, codec)
    except _Rejected as reason:
        raise BodyError(400, f"The form body {reason}.") from None
    if text.count("&") >= MAX_FIELDS:
        # Counted before parse_qsl builds every pair: 262,144 fields fit in 1 MiB.
        raise BodyError(400, f"The form separates more than {MAX_FIELDS} fields with &; at most {MAX_FIELDS} are read.")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding=codec, errors="strict")
    except UnicodeDecodeError:
        raise BodyError(
            400, f"The form body has a percent-escape that is not valid {codec}."
        ) from None
    data, warnings = _form_fields(pairs)
    return data, _json_as_form_warning(text) + warnings


def _json_as_form_warning(text: str) -> list[str]:
    """Warn when a form body is really a JSON object, the classic `curl -d '{...}'` mistake."""
    if not text.lstrip().startswith("{"):
        return []
    try:
        _load_json(text, MAX_DEPTH)
    except _Rejected:
        return []
    return [
        "The body is JSON but was sent as application/x-www-form-urlencoded (curl -d does that), "
        "so it was read as a form; send Content-Type: application/json."
    ]


def _multipart_body(body: bytes, options: dict[str, str]) -> tuple[dict, list[str]]:
    """Read a multipart/form-data body: text fields are kept, uploaded files ignored."""
    codec = _codec(options.get("charset", "utf-8"))
    boundary = options.get("boundary", "")
    if not boundary or not boundary.isascii():
        raise BodyError(400, "The multipart Content-Type header needs an ASCII boundary parameter.")
    if body.count(b"--" + boundary.encode("ascii")) > MAX_PARTS + 1:
        raise BodyError(400, f"The multipart body has more than {MAX_PARTS} parts; at most {MAX_PARTS} are read.")
    try:
        parts = _multipart_parts(body, boundary.encode("ascii"))
    except ValueError as error:
        raise BodyError(
            400,
            f"The multipart body is malformed ({error}); check that its parts are "
            f"separated by the boundary {_quote(boundary)} from the Content-Type header.",
        ) from None
    pairs, warnings = [], []
    for part, data in parts:
        if part.name is None:
            raise BodyError(400, "A multipart part has no name in its Content-Disposition header.")
        if isinstance(part, File):
            warnings.append(
                f"The uploaded file in field {_quote(part.name)} was ignored; "
                "only text fields are read."
            )
        else:
            pairs.append((part.name, _part_text(part, data, codec)))
    data, more = _form_fields(pairs)
    return data, warnings + more


def _multipart_parts(body: bytes, boundary: bytes) -> list[tuple[Field | File, bytes]]:
    """Split a multipart body into (part, bytes) pairs; raise ValueError if malformed."""
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(body)
    # Signal the end now, so a truncated body raises instead of waiting for more data.
    decoder.receive_data(None)
    parts, chunks = [], []
    while not isinstance(event := decoder.next_event(), Epilogue):
        if isinstance(event, (Field, File)):
            part, chunks = event, []
        elif isinstance(event, Data):
            chunks.append(event.data)
            if not event.more_data:
                parts.append((part, b"".join(chunks)))
    return parts


def _part_text(part: Field, data: bytes, codec: str) -> str:
    """Decode one multipart text field strictly, honouring its own charset if it has one."""
    charset = parse_options_header(part.headers.get("content-type"))[1].get("charset")
    try:
        return _decode(data, _codec(charset) if charset else codec)
    except _Rejected as reason:
        raise BodyError(400, f"The multipart field {_quote(part.name)} {reason}.") from None


def _form_fields(pairs: list[tuple[str, str]]) -> tuple[dict, list[str]]:
    """Build nested fields from form pairs, then decode top-level JSON array/object strings."""
    if len(pairs) > MAX_FIELDS:
        # Like werkzeug's max_form_parts: 100,000 one-letter fields fit in 1 MiB and cost seconds to place.
        raise BodyError(400, f"The form has {len(pairs)} fields; at most {MAX_FIELDS} are read.")
    if sum(key.count("[") for key, _ in pairs) > MAX_KEY_SEGMENTS:
        # Each bracket is a step in building the tree: 10,000 keys 31 levels deep cost almost a second.
        raise BodyError(400, f"The form's keys have more than {MAX_KEY_SEGMENTS} [bracketed] parts in all.")
    tree = {}
    for key, value in pairs:
        _place(tree, key, value)
    data = _finish(tree)
    return data, _decode_json_fields(data)


def _decode_json_fields(data: dict) -> list[str]:
    """Replace top-level JSON array/object strings by their value; warn about those that fail."""
    warnings = []
    for name, value in list(data.items()):
        if not (isinstance(value, str) and value.lstrip()[:1] in ("[", "{")):
            continue
        try:
            # The value sits one level below the top, so it may nest one level less.
            data[name] = _load_json(value, MAX_DEPTH - 1)
        except _Rejected as reason:
            warnings.append(
                f"The field {_quote(name)} looks like JSON but {reason}, so it was kept as text."
            )
    return warnings


def _key_path(key: str) -> list[str]:
    """Split `a[b][]` into ['a', 'b', '']; a key with malformed brackets stays whole."""
    match = _BRACKETED.fullmatch(key)
    if match is None:
        return [key]
    return [match[1], *_SEGMENT.findall(match[2])]


def _place(tree: dict, key: str, value: str) -> None:
    """Put one form value into the tree where its bracketed key points."""
    path = _key_path(key)
    if len(path) > MAX_DEPTH:
        raise BodyError(400, f"The form key {_quote(key)} nests deeper than {MAX_DEPTH} levels.")
    node = tree
    for depth, segment in enumerate(path):
        slot = _slot(node, segment, key)
        existing = node.get(slot)
        if depth == len(path) - 1:
            if isinstance(existing, dict):
                _conflict(key, path[: depth + 1], existing, value)
            node[slot] = value  # a repeated key: the last value wins
            return
        wanted = _Indexed() if _is_position(path[depth + 1]) else {}
        if existing is None:
            existing = node[slot] = wanted
        elif type(existing) is not type(wanted):
            _conflict(key, path[: depth + 1], existing, wanted)
        node = existing


def _is_position(segment: str) -> bool:
    """Tell whether a bracket segment addresses a list: `[]` or a plain index like `[0]`."""
    return segment == "" or _INDEX.fullmatch(segment) is not None


def _slot(node: dict, segment: str, key: str) -> str | int:
    """Return where a segment goes in node: a name, or a list position no greater than MAX_INDEX."""
    if not isinstance(node, _Indexed):
        return segment
    if segment == "":
        index = node.end
    elif len(segment) <= len(str(MAX_INDEX)):
        index = int(segment)
    else:
        index = MAX_INDEX + 1  # too many digits; never convert a huge number
    if index > MAX_INDEX:
        raise BodyError(400, f"The form key {_quote(key)} uses a list position above {MAX_INDEX}.")
    node.end = max(node.end, index + 1)
    return index


def _conflict(key: str, path: list[str], old: object, new: object) -> None:
    """Refuse a key that gives an earlier key's field a different shape."""
    where = path[0] + "".join(f"[{segment}]" for segment in path[1:])
    raise BodyError(
        400,
        f"The form key {_quote(key)} makes {_quote(where)} {_shape(new)}, "
        f"but an earlier key made it {_shape(old)}.",
    )


def _shape(node: object) -> str:
    """Name the shape of a form tree node for a message."""
    if isinstance(node, _Indexed):
        return "a list"
    return "a group of named fields" if isinstance(node, dict) else "a single value"


def _finish(node: object) -> object:
    """Turn the tree's indexed nodes into lists in position order, closing gaps."""
    # Recursion is safe: _place caps the tree at MAX_DEPTH levels.
    if isinstance(node, _Indexed):
        return [_finish(node[index]) for index in sorted(node)]
    if isinstance(node, dict):
        return {name: _finish(child) for name, child in node.items()}
    return node
