import io
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from webhook.body import ACCEPTED_TYPES, MAX_DEPTH, BodyError, parse_body

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
QUICK = settings(max_examples=200, deadline=None)


def error_of(body, content_type):
    """Return the BodyError that parse_body raises for this body."""
    with pytest.raises(BodyError) as caught:
        parse_body(body, content_type)
    return caught.value


def multipart(fields, charset=None):
    """Encode fields as multipart/form-data and return (body, Content-Type)."""
    boundary, body = encode_multipart(MultiDict(fields), boundary="XyZ")
    params = f"; charset={charset}" if charset else ""
    return body, f"multipart/form-data{params}; boundary={boundary}"


def nested(levels):
    """Return a JSON object nested `levels` deep, counting the outer object."""
    return b'{"a":' * (levels - 1) + b"{}" + b"}" * (levels - 1)


def depth(value):
    """Count container levels in a JSON-like value."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


# --- choosing a parser by mimetype -------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON; Charset=UTF-8",
        "application/json;charset=utf-8",
        "application/vnd.api+json",
        "application/ld+json; charset=utf-8",
    ],
)
def test_json_mimetypes_parse_as_json(content_type):
    data = parse_body(b'{"email": "a@example.com"}', content_type)
    assert data == ({"email": "a@example.com"}, [])


@pytest.mark.parametrize(
    "content_type",
    [FORM, "Application/X-WWW-Form-Urlencoded; charset=utf-8"],
)
def test_form_mimetypes_parse_as_form(content_type):
    assert parse_body(b"email=a%40example.com", content_type) == ({"email": "a@example.com"}, [])


@pytest.mark.parametrize("body", [b"", b" ", b" \r\n\t "])
@pytest.mark.parametrize(
    "content_type",
    [None, "", JSON, FORM, "multipart/form-data", "text/html", "image/png; charset=punycode"],
)
def test_empty_body_is_an_empty_dict_whatever_the_header(body, content_type):
    assert parse_body(body, content_type) == ({}, [])


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "text/plain; charset=utf-8"])
def test_json_object_without_json_header_is_read_with_a_warning(content_type):
    data, warnings = parse_body(b'{"email": "a@example.com"}', content_type)
    assert data == {"email": "a@example.com"}
    assert len(warnings) == 1
    assert "read as JSON" in warnings[0]
    assert "Content-Type: application/json" in warnings[0]


def test_text_plain_charset_is_honoured():
    data, _ = parse_body('{"city": "Málaga"}'.encode("latin-1"), "text/plain; charset=iso-8859-1")
    assert data == {"city": "Málaga"}


@pytest.mark.parametrize(
    "body",
    [
        b"email=a@example.com", b"[1, 2]", b'"text"', b"hello", b"\xff\xfe",
        b'{"a": 1, "a": 2}', nested(10_000),
    ],
)
@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_body_that_is_not_a_json_object_without_json_header_is_415(body, content_type):
    error = error_of(body, content_type)
    assert error.status == 415
    assert "Content-Type: application/json" in error.message


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/xml", "image/png", "application/jsonx", "x"]
)
def test_other_types_are_415_naming_the_accepted_types(content_type):
    error = error_of(b'{"a": 1}', content_type)
    assert error.status == 415
    assert all(accepted in error.message for accepted in ACCEPTED_TYPES)


@pytest.mark.parametrize(
    "charset", ["punycode", "idna", "utf-7", "no-such-charset", "base64", "rot13"]
)
def test_unsupported_charset_is_415(charset):
    error = error_of(b'{"a": 1}', f"application/json; charset={charset}")
    assert error.status == 415
    assert "charset" in error.message


def test_body_error_carries_status_and_message():
    error = BodyError(415, "Nope.")
    assert (error.status, error.message, str(error)) == (415, "Nope.", "Nope.")


# --- JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"[1]", "an array"), (b'"x"', "a string"), (b"1", "a number"), (b"1.5", "a number"),
     (b"true", "a boolean"), (b"null", "null")],
)
def test_json_must_be_an_object(body, kind):
    error = error_of(body, JSON)
    assert error.status == 400
    assert error.message == f"The JSON body must be a JSON object, got {kind}."


@pytest.mark.parametrize(
    ("body", "position"),
    [(b'{"a": }', "line 1 column 7"), (b'{\n  "a": 1,\n}', "line 3 column 1"),
     (b"{'a': 1}", "line 1 column 2"), (b'{"a": 1} x', "line 1 column 10")],
)
def test_bad_json_is_400_with_position(body, position):
    error = error_of(body, JSON)
    assert error.status == 400
    assert "not valid JSON" in error.message
    assert position in error.message


@pytest.mark.parametrize("body", [b'{"a": "\xff"}', b'{"a": "\xed\xa0\x80"}', b'{"a": "\xc3"}'])
def test_invalid_utf8_is_400(body):
    error = error_of(body, JSON)
    assert error.status == 400
    assert "not valid utf-8" in error.message


def test_utf8_byte_order_mark_is_accepted():
    assert parse_body(b'\xef\xbb\xbf{"a": 1}', JSON) == ({"a": 1}, [])


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-32", "latin-1", "windows-1252"])
def test_json_charset_is_honoured(charset):
    body = '{"name": "Zoë"}'.encode(charset)
    assert parse_body(body, f"application/json; charset={charset}") == ({"name": "Zoë"}, [])


def test_json_charset_mismatch_is_400():
    body = '{"name": "Zoë"}'.encode("latin-1")
    assert error_of(body, "application/json; charset=utf-8").status == 400


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_constants_are_400(literal):
    error = error_of(b'{"total": ' + literal + b"}", JSON)
    assert error.status == 400
    assert literal.decode() in error.message


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"1" * 400 + b".0"])
def test_numbers_that_overflow_to_infinity_are_400(literal):
    error = error_of(b'{"total": ' + literal + b"}", JSON)
    assert error.status == 400
    assert "too large" in error.message


def test_large_finite_numbers_are_kept():
    assert parse_body(b'{"a": 1e308, "b": -1.5e-300}', JSON) == ({"a": 1e308, "b": -1.5e-300}, [])


def test_integer_too_long_to_convert_is_400():
    error = error_of(b'{"id": ' + b"9" * 5000 + b"}", JSON)
    assert error.status == 400
    assert "digits" in error.message


def test_integer_at_the_conversion_limit_is_kept():
    data, _ = parse_body(b'{"id": ' + b"9" * 4300 + b"}", JSON)
    assert data["id"] == int("9" * 4300)


@pytest.mark.parametrize(
    ("body", "key"),
    [(b'{"email": "a", "email": "b"}', "'email'"),
     (b'{"products": [{"id": 1, "name": "T", "id": 2}]}', "'id'")],
)
def test_duplicate_keys_are_400_naming_the_key(body, key):
    error = error_of(body, JSON)
    assert error.status == 400
    assert f"repeats the key {key}" in error.message


@pytest.mark.parametrize(
    "body",
    [
        rb'{"a": "\ud800"}', rb'{"\ud800": 1}', rb'{"a": ["ok", {"b": "x\udfffy"}]}',
        rb'{"a": "\ude00\ud83d"}',
    ],
)
def test_lone_surrogates_are_400(body):
    error = error_of(body, JSON)
    assert error.status == 400
    assert "surrogate" in error.message


def test_surrogate_pairs_are_fine():
    assert parse_body(rb'{"emoji": "\ud83d\ude00"}', JSON) == ({"emoji": "\U0001f600"}, [])


@pytest.mark.parametrize(
    "body", [b"[" * 10_000, b"[" * 10_000 + b"]" * 10_000, b'{"a":' * 10_000, nested(10_000)]
)
def test_ten_thousand_levels_are_400_not_a_crash(body):
    error = error_of(body, JSON)
    assert error.status == 400


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 100, 500])
def test_nesting_past_the_limit_is_400(levels):
    error = error_of(nested(levels), JSON)
    assert error.status == 400
    assert f"deeper than {MAX_DEPTH} levels" in error.message


def test_nesting_at_the_limit_is_kept():
    data, _ = parse_body(nested(MAX_DEPTH), JSON)
    assert depth(data) == MAX_DEPTH


def test_nesting_depth_counts_arrays():
    fits = b'{"a":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
    assert depth(parse_body(fits, JSON)[0]) == MAX_DEPTH
    assert error_of(b'{"a":' + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH + b"}", JSON).status == 400


def test_hundred_thousand_element_array_is_fine():
    body = b'{"ids": [' + b",".join([b"1"] * 100_000) + b"]}"
    data, _ = parse_body(body, JSON)
    assert len(data["ids"]) == 100_000


# --- urlencoded forms ---------------------------------------------------------------


def test_bracketed_keys_build_structure():
    body = b"products[0][name]=T&products[0][price]=5&location[city]=Miami"
    assert parse_body(body, FORM) == (
        {"products": [{"name": "T", "price": "5"}], "location": {"city": "Miami"}},
        [],
    )


def test_empty_brackets_append():
    assert parse_body(b"tags[]=a&tags[]=b&tags[]=c", FORM) == ({"tags": ["a", "b", "c"]}, [])


def test_each_empty_bracket_starts_a_new_item():
    body = b"products[][name]=T&products[][name]=U"
    assert parse_body(body, FORM) == ({"products": [{"name": "T"}, {"name": "U"}]}, [])


def test_append_goes_after_the_highest_index():
    assert parse_body(b"a[3]=x&a[]=y&a[0]=z", FORM) == ({"a": ["z", "x", "y"]}, [])


def test_indexes_become_a_list_in_order_with_gaps_closed():
    body = b"p[10][n]=c&p[2][n]=b&p[0][n]=a"
    assert parse_body(body, FORM) == ({"p": [{"n": "a"}, {"n": "b"}, {"n": "c"}]}, [])


def test_non_canonical_numbers_are_names():
    assert parse_body(b"a[01]=x&a[-1]=y", FORM) == ({"a": {"01": "x", "-1": "y"}}, [])


def test_top_level_digit_keys_stay_names():
    assert parse_body(b"0=a&1=b", FORM) == ({"0": "a", "1": "b"}, [])


def test_index_1000_is_allowed():
    assert parse_body(b"a[1000]=x", FORM) == ({"a": ["x"]}, [])


@pytest.mark.parametrize(
    "body", [b"a[1001]=x", b"a[99999999999999999999999]=x", b"a[" + b"9" * 5000 + b"]=x"]
)
def test_index_above_1000_is_400(body):
    error = error_of(body, FORM)
    assert error.status == 400
    assert "above 1000" in error.message


def test_appending_past_index_1000_is_400():
    body = b"&".join([b"a[]=x"] * 1002)
    assert error_of(body, FORM).status == 400


@pytest.mark.parametrize(
    ("body", "key"),
    [(b"a=1&a[b]=2", "'a[b]'"), (b"a[b]=2&a=1", "'a'"), (b"a[b]=1&a[0]=2", "'a[0]'"),
     (b"a[0]=1&a[b]=2", "'a[b]'"), (b"a[b]=1&a[]=2", "'a[]'"), (b"a[b]=1&a[b][c]=2", "'a[b][c]'"),
     (b"a[b][c]=2&a[b]=1", "'a[b]'"), (b"a[0]=1&a[0][x]=2", "'a[0][x]'")],
)
def test_conflicting_shapes_are_400_naming_the_key(body, key):
    error = error_of(body, FORM)
    assert error.status == 400
    assert error.message.startswith(f"The form key {key} ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"a[b=1", {"a[b": "1"}), (b"a]b[=1", {"a]b[": "1"}), (b"[a]=1", {"[a]": "1"}),
     (b"a[b]c=1", {"a[b]c": "1"}), (b"a[b[c]]=1", {"a[b[c]]": "1"}), (b"a%5Bb=1", {"a[b": "1"})],
)
def test_malformed_brackets_keep_the_key_literally(body, expected):
    assert parse_body(body, FORM) == (expected, [])


def test_repeated_plain_key_last_value_wins():
    assert parse_body(b"email=a%40x.com&email=b%40x.com", FORM) == ({"email": "b@x.com"}, [])


def test_repeated_bracketed_key_last_value_wins():
    assert parse_body(b"l[city]=A&l[city]=B", FORM) == ({"l": {"city": "B"}}, [])


def test_form_key_nesting_past_the_limit_is_400():
    key = b"a" + b"[b]" * MAX_DEPTH
    error = error_of(key + b"=1", FORM)
    assert error.status == 400
    assert "deeper" in error.message


def test_form_key_nesting_at_the_limit_is_kept():
    data, _ = parse_body(b"a" + b"[b]" * (MAX_DEPTH - 1) + b"=1", FORM)
    assert depth(data) == MAX_DEPTH


def test_values_stay_strings_and_are_percent_decoded():
    body = b"total=55&name=John+Smith&city=M%C3%A1laga&flag=&bare"
    assert parse_body(body, FORM) == (
        {"total": "55", "name": "John Smith", "city": "Málaga", "flag": "", "bare": ""},
        [],
    )


def test_top_level_json_array_field_is_decoded():
    products = '[{"name":"T","link":"https://x.com"}]'
    body = urlencode({"email": "a@example.com", "products": products}).encode()
    assert parse_body(body, FORM) == (
        {"email": "a@example.com", "products": [{"name": "T", "link": "https://x.com"}]},
        [],
    )


def test_top_level_json_object_field_is_decoded():
    body = urlencode({"location": ' {"city": "Miami"}'}).encode()
    assert parse_body(body, FORM) == ({"location": {"city": "Miami"}}, [])


def test_nested_json_looking_values_stay_strings():
    body = urlencode({"a[b]": "[1]", "c[]": '{"d": 1}'}).encode()
    assert parse_body(body, FORM) == ({"a": {"b": "[1]"}, "c": ['{"d": 1}']}, [])


@pytest.mark.parametrize(
    "value",
    ["[sale] Summer", '{"a": 1, "a": 2}', '[NaN]', "[1e400]", r'["\ud800"]', "[" * 40 + "]" * 40],
)
def test_field_that_does_not_decode_as_strict_json_stays_a_string(value):
    data, warnings = parse_body(urlencode({"products": value}).encode(), FORM)
    assert data == {"products": value}
    assert len(warnings) == 1
    assert warnings[0].startswith("The field 'products' looks like JSON but ")


def test_field_json_depth_counts_the_top_level():
    fits = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    data, warnings = parse_body(urlencode({"a": fits}).encode(), FORM)
    assert (depth(data), warnings) == (MAX_DEPTH, [])
    data, warnings = parse_body(urlencode({"a": "[" + fits + "]"}).encode(), FORM)
    assert isinstance(data["a"], str)


def test_form_charset_is_honoured():
    body = "city=Málaga&n=%E9".encode("latin-1")
    assert parse_body(body, f"{FORM}; charset=iso-8859-1") == ({"city": "Málaga", "n": "é"}, [])


def test_form_invalid_utf8_is_400():
    error = error_of(b"city=M\xe1laga", FORM)
    assert error.status == 400
    assert "not valid utf-8" in error.message


def test_form_invalid_utf8_percent_escape_is_400():
    error = error_of(b"city=M%E1laga", FORM)
    assert error.status == 400
    assert "percent-escape" in error.message


def test_json_sent_as_form_gets_a_warning():
    data, warnings = parse_body(b'{"email": "a@example.com"}', FORM)
    assert data == {'{"email": "a@example.com"}': ""}
    assert len(warnings) == 1
    assert "Content-Type: application/json" in warnings[0]


def test_ordinary_form_gets_no_json_warning():
    assert parse_body(b"{a=1", FORM) == ({"{a": "1"}, [])


# --- multipart forms ----------------------------------------------------------------


def test_multipart_fields_build_the_same_structure():
    body, content_type = multipart(
        [("products[0][name]", "T"), ("products[0][price]", "5"), ("location[city]", "Miami"),
         ("tags[]", "a"), ("tags[]", "b"), ("email", "a@example.com")]
    )
    assert parse_body(body, content_type) == (
        {"products": [{"name": "T", "price": "5"}], "location": {"city": "Miami"},
         "tags": ["a", "b"], "email": "a@example.com"},
        [],
    )


def test_multipart_files_are_ignored_with_a_warning():
    upload = FileStorage(io.BytesIO(b"\x89PNG\xff"), "pic.png", content_type="image/png")
    body, content_type = multipart([("email", "a@example.com"), ("avatar", upload)])
    data, warnings = parse_body(body, content_type)
    assert data == {"email": "a@example.com"}
    assert len(warnings) == 1
    assert "'avatar'" in warnings[0]


def test_multipart_json_field_is_decoded():
    body, content_type = multipart([("products", '[{"name": "T"}]')])
    assert parse_body(body, content_type) == ({"products": [{"name": "T"}]}, [])


def test_multipart_conflict_is_400():
    body, content_type = multipart([("a", "1"), ("a[b]", "2")])
    assert error_of(body, content_type).status == 400


def test_multipart_invalid_utf8_is_400():
    body, content_type = multipart([("city", "Málaga")])
    error = error_of(body.replace("á".encode(), b"\xe1"), content_type)
    assert error.status == 400
    assert "'city'" in error.message


def test_multipart_charset_is_honoured():
    body, content_type = multipart([("city", "Málaga")], charset="latin-1")
    body = body.replace("á".encode(), b"\xe1")
    assert parse_body(body, content_type) == ({"city": "Málaga"}, [])


def test_multipart_part_charset_wins():
    body = (
        b"--B\r\nContent-Disposition: form-data; name=\"city\"\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nM\xe1laga\r\n--B--\r\n"
    )
    assert parse_body(body, "multipart/form-data; boundary=B") == ({"city": "Málaga"}, [])


def test_hand_built_multipart_with_lf_line_breaks():
    body = b'--B\nContent-Disposition: form-data; name="email"\n\na@example.com\n--B--\n'
    assert parse_body(body, "multipart/form-data; boundary=B") == ({"email": "a@example.com"}, [])


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=é"],
)
def test_multipart_without_usable_boundary_is_400(content_type):
    body = b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n'
    error = error_of(body, content_type)
    assert error.status == 400
    assert "boundary" in error.message


@pytest.mark.parametrize(
    "body",
    [
        b"email=a@example.com",
        b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
        b'--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--\r\n',
        b'--B\r\nContent-Disposition: form-data; name="\xff"\r\n\r\n1\r\n--B--\r\n',
    ],
)
def test_malformed_multipart_is_400(body):
    error = error_of(body, "multipart/form-data; boundary=B")
    assert error.status == 400
    assert "multipart" in error.message


def test_multipart_part_without_a_name_is_400():
    body = b"--B\r\nContent-Disposition: form-data\r\n\r\n1\r\n--B--\r\n"
    error = error_of(body, "multipart/form-data; boundary=B")
    assert error.status == 400
    assert "no name" in error.message


# --- properties ---------------------------------------------------------------------

CONTENT_TYPES = [
    None, "", JSON, "application/json; charset=utf-16", "application/json; charset=latin-1",
    "application/vnd.x+json", "text/plain", "text/plain; charset=utf-32", FORM,
    f"{FORM}; charset=iso-8859-1", "multipart/form-data; boundary=B", "multipart/form-data",
    "text/html", "application/json; charset=punycode", ";;=", "application/",
    "MULTIPART/FORM-DATA; boundary=B",
]
FRAGMENTS = [
    b"{", b"}", b"[", b"]", b'"', b":", b",", b"1", b"-", b"e400", b"NaN", b"\\ud800", b"\\u0041",
    b'"a"', b"=", b"&", b"%", b"%ff", b"a", b"[0]", b"[]", b"[1001]", b"\xff", b"\xc3\xa9",
    b"\r\n", b"--B", b"--B--", b'Content-Disposition: form-data; name="a"', b'; filename="f"',
    b"\r\n\r\n", b" ", b"\xef\xbb\xbf", b"\x00",
]
BODIES = st.one_of(
    st.binary(max_size=200), st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)
)


def assert_sane(data, warnings):
    """Check a parse result is a plain, UTF-8-safe, bounded dict with sentence warnings."""
    assert isinstance(data, dict)
    assert isinstance(warnings, list) and all(isinstance(w, str) and w for w in warnings)
    json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert depth(data) <= MAX_DEPTH


@QUICK
@given(body=BODIES, content_type=st.sampled_from(CONTENT_TYPES))
def test_any_bytes_give_a_dict_or_a_body_error(body, content_type):
    try:
        data, warnings = parse_body(body, content_type)
    except BodyError as error:
        assert error.status in (400, 415)
        assert error.message[0].isupper() and error.message.endswith(".")
        error.message.encode("utf-8")
    else:
        assert_sane(data, warnings)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@QUICK
@given(
    value=JSON_VALUES,
    content_type=st.sampled_from(
        [JSON, "application/problem+json", "application/json; charset=utf-8"]
    ),
    ascii_only=st.booleans(),
)
def test_json_objects_round_trip_and_other_values_are_400(value, content_type, ascii_only):
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    if isinstance(value, dict) and depth(value) <= MAX_DEPTH:
        assert parse_body(body, content_type) == (value, [])
    elif body.strip():
        assert error_of(body, content_type).status == 400


@QUICK
@given(value=JSON_VALUES)
def test_headerless_json_objects_are_read_and_other_values_are_415(value):
    body = json.dumps(value).encode("utf-8")
    if isinstance(value, dict) and depth(value) <= MAX_DEPTH:
        data, warnings = parse_body(body, None)
        assert data == value and len(warnings) == 1
    else:
        assert error_of(body, None).status == 415


KEY_PARTS = [
    "a", "b", "email", "0", "1", "01", "1001", "[", "]", "[]", "[0]", "[1]", "[a]", "[b]",
    "[1001]", "é", " ", "%",
]
VALUE_PARTS = [
    "x", "", "[", "]", "{", "}", '"', "1", ",", ":", "NaN", "1e400", r"\ud800", "é", " ", "&", "=",
]
PAIRS = st.lists(
    st.tuples(
        st.lists(st.sampled_from(KEY_PARTS), max_size=8).map("".join),
        st.one_of(
            st.text(max_size=10),
            st.lists(st.sampled_from(VALUE_PARTS), max_size=10).map("".join),
        ),
    ),
    max_size=12,
)


def outcome(body, content_type):
    """Return the data or the error (status, message) that parse_body gives."""
    try:
        data, warnings = parse_body(body, content_type)
    except BodyError as error:
        assert error.status == 400 and error.message
        return error.status, error.message
    assert_sane(data, warnings)
    return data


@QUICK
@given(pairs=PAIRS)
def test_any_form_pairs_give_a_dict_or_a_400_and_both_encodings_agree(pairs):
    from_urlencoded = outcome(urlencode(pairs).encode(), FORM)
    from_multipart = outcome(*multipart(pairs))
    assert from_urlencoded == from_multipart


@QUICK
@given(
    pairs=st.lists(
        st.tuples(
            st.text(st.characters(codec="utf-8", exclude_characters="[]"), max_size=8),
            st.text(max_size=10).filter(lambda v: v.lstrip()[:1] not in ("[", "{")),
        ),
        max_size=12,
    )
)
def test_plain_form_keys_map_to_their_last_value(pairs):
    data, _ = parse_body(urlencode(pairs).encode(), FORM)
    assert data == dict(pairs)


# --- bodies that would cost a second of CPU within the size limit: refused before the costly part ----------


MIB = 1024 * 1024


def fill(item: bytes, prefix: bytes, suffix: bytes, size: int = MIB) -> bytes:
    """Return a body of at most `size` bytes: prefix, as many comma-joined items as fit, suffix."""
    count = (size - len(prefix) - len(suffix)) // (len(item) + 1)
    return prefix + b",".join([item] * count) + suffix


@pytest.mark.parametrize("item", [b"[]", b"{}", b'{"a":1}', b"[" * 30 + b"]" * 30])
def test_a_json_body_of_tens_of_thousands_of_arrays_or_objects_is_400(item):
    error = error_of(fill(item, b'{"a":[', b"]}"), JSON)
    assert (error.status, error.message) == (400, "The JSON body holds more than 20000 objects and arrays.")


def test_a_real_order_of_hundreds_of_objects_and_a_long_flat_list_still_parse():
    order = {"line_items": [{"title": f"Item {i}", "properties": [{"name": "size", "value": "M"}]}
                            for i in range(500)], "numbers": list(range(50_000)), "big": 1e300}
    assert parse_body(json.dumps(order).encode(), JSON) == (order, [])
    assert error_of(b'{"a": 1e400}', JSON).status == 400  # the float check still holds where it can matter
    assert error_of(b'{"a": "\\ud800"}', JSON).status == 400  # and the lone-surrogate check


def test_form_keys_with_tens_of_thousands_of_brackets_are_400():
    body = b"&".join(b"a%d" % i + b"[b]" * 30 + b"=1" for i in range(1000))
    error = error_of(body, FORM)
    assert (error.status, error.message) == (400, "The form's keys have more than 20000 [bracketed] parts in all.")


def test_a_form_of_a_quarter_million_fields_is_refused_before_it_is_split():
    error = error_of(b"&".join([b"a=1"] * (MIB // 4)), FORM)
    assert error.status == 400 and error.message.startswith("The form separates more than 10000 fields")


def test_a_multipart_body_of_thousands_of_parts_is_400():
    part = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    error = error_of(part * 1001 + b"--x--\r\n", "multipart/form-data; boundary=x")
    assert (error.status, error.message) == (400, "The multipart body has more than 1000 parts; at most 1000 are read.")
