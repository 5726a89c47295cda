"""Signed webhooks: every scheme with real HMACs, then through the webhook and the settings."""
import base64
import hashlib
import hmac
import json
import time

import pytest

from helpers import csrf_token_from, log_in, platform_fixture, post_bytes, stored, webhook_path
from webhook.signatures import SignatureError, verify

SECRET = "shpss_0123456789abcdef"
BODY = b'{"email": "john.smith@example.com", "productName": "Sneakers"}'
NOW = 1_760_000_000
WHSEC_KEY = b"\x01\x02 standard webhooks key \xfe\xff"
WHSEC = "whsec_" + base64.b64encode(WHSEC_KEY).decode()


def mac(key: bytes, message: bytes) -> bytes:
    """Return HMAC-SHA256 computed independently of the module under test."""
    return hmac.new(key, message, hashlib.sha256).digest()


def shopify(body: bytes, secret: str) -> dict:
    """Sign like Shopify: base64 HMAC-SHA256 of the body."""
    return {"X-Shopify-Hmac-Sha256": base64.b64encode(mac(secret.encode(), body)).decode()}


def woocommerce(body: bytes, secret: str) -> dict:
    """Sign like WooCommerce: base64 HMAC-SHA256 of the body."""
    return {"X-WC-Webhook-Signature": base64.b64encode(mac(secret.encode(), body)).decode()}


def stripe(body: bytes, secret: str, t: int = NOW) -> dict:
    """Sign like Stripe: hex HMAC of "{t}.{body}", plus a v0 that must be ignored."""
    signature = mac(secret.encode(), f"{t}.".encode() + body).hex()
    return {"Stripe-Signature": f"t={t},v1={signature},v0=6ffbb59b2300aae63f2723"}


def standard(body: bytes, secret: str, t: int = NOW, key: bytes | None = None) -> dict:
    """Sign like Standard Webhooks: base64 HMAC of "{id}.{t}.{body}" keyed by the decoded secret."""
    if key is None:
        key = base64.b64decode(secret.removeprefix("whsec_"))
    signature = base64.b64encode(mac(key, f"msg_2Lh9KRb.{t}.".encode() + body)).decode()
    return {"webhook-id": "msg_2Lh9KRb", "webhook-timestamp": str(t), "webhook-signature": f"v1,{signature}"}


def proofhook(body: bytes, secret: str) -> dict:
    """Sign with X-Proofhook-Signature: sha256=<hex>."""
    return {"X-Proofhook-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def paddle(body: bytes, secret: str, t: int = NOW) -> dict:
    """Sign like Paddle Billing: hex HMAC of "{ts}:{body}" in `ts=…;h1=…`."""
    return {"Paddle-Signature": f"ts={t};h1={mac(secret.encode(), f'{t}:'.encode() + body).hex()}"}


def calendly(body: bytes, secret: str, t: int = NOW) -> dict:
    """Sign like Calendly: hex HMAC of "{t}.{body}" in `t=…,v1=…`."""
    return {"Calendly-Webhook-Signature": f"t={t},v1={mac(secret.encode(), f'{t}.'.encode() + body).hex()}"}


def typeform(body: bytes, secret: str) -> dict:
    """Sign like Typeform: sha256=<base64 HMAC of the body>."""
    return {"Typeform-Signature": "sha256=" + base64.b64encode(mac(secret.encode(), body)).decode()}


def lemonsqueezy(body: bytes, secret: str) -> dict:
    """Sign like Lemon Squeezy: X-Signature is the hex HMAC of the body."""
    return {"X-Signature": mac(secret.encode(), body).hex()}


SCHEMES = {
    "Paddle-Signature": (paddle, SECRET),
    "Calendly-Webhook-Signature": (calendly, SECRET),
    "Typeform-Signature": (typeform, SECRET),
    "X-Signature": (lemonsqueezy, SECRET),
    "X-Shopify-Hmac-Sha256": (shopify, SECRET),
    "X-WC-Webhook-Signature": (woocommerce, SECRET),
    "Stripe-Signature": (stripe, SECRET),
    "Standard Webhooks": (standard, WHSEC),
    "X-Proofhook-Signature": (proofhook, SECRET),
}
WRONG_SECRETS = {SECRET: "shpss_not-the-secret", WHSEC: "whsec_" + base64.b64encode(b"another key").decode()}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_valid_signature_passes(scheme):
    sign, secret = SCHEMES[scheme]
    verify(sign(BODY, secret), BODY, secret, NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_signature_made_with_another_secret_fails_naming_the_scheme(scheme):
    sign, secret = SCHEMES[scheme]
    with pytest.raises(SignatureError, match=scheme):
        verify(sign(BODY, WRONG_SECRETS[secret]), BODY, secret, NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_tampered_body_fails(scheme):
    sign, secret = SCHEMES[scheme]
    with pytest.raises(SignatureError, match=scheme):
        verify(sign(BODY, secret), BODY.replace(b"Sneakers", b"Sneakerz"), secret, NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_header_names_are_case_insensitive(scheme):
    sign, secret = SCHEMES[scheme]
    verify({name.upper(): value for name, value in sign(BODY, secret).items()}, BODY, secret, NOW)


def test_no_signature_header_fails_listing_the_schemes():
    with pytest.raises(SignatureError, match="requires a signature.*X-Proofhook-Signature"):
        verify({"Content-Type": "application/json"}, BODY, SECRET, NOW)


@pytest.mark.parametrize("sign, secret", [(stripe, SECRET), (standard, WHSEC), (paddle, SECRET), (calendly, SECRET)])
@pytest.mark.parametrize("offset, ok", [(-300, True), (300, True), (-301, False), (301, False), (-86400, False)])
def test_timestamps_more_than_five_minutes_off_fail(sign, secret, offset, ok):
    headers = sign(BODY, secret, t=NOW + offset)
    if ok:
        verify(headers, BODY, secret, NOW)
    else:
        with pytest.raises(SignatureError, match="5 minutes"):
            verify(headers, BODY, secret, NOW)


# Square's own SDK test vector (square/square-python-sdk tests/utilities/test_webhooks_helper.py).
SQUARE_FIXTURE = platform_fixture("square_test_notification.json")
SQUARE_BODY = json.dumps(SQUARE_FIXTURE["body"], separators=(",", ":")).encode()
SQUARE_KEY = "Ibxx_5AKakO-3qeNVR61Dw"
SQUARE_URL = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"


def test_square_signs_the_notification_url_and_the_body():
    verify(SQUARE_FIXTURE["headers"], SQUARE_BODY, SQUARE_KEY, NOW, url=SQUARE_URL)
    for url, body, key in [
        ("https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9", SQUARE_BODY, SQUARE_KEY),
        (SQUARE_URL, SQUARE_BODY.replace(b"2022-07-13", b"2022-06-13"), SQUARE_KEY),
        (SQUARE_URL, SQUARE_BODY, "MCmhFRxGX82xMwg5FsaoQA"),
    ]:
        with pytest.raises(SignatureError, match="x-square-hmacsha256-signature"):
            verify(SQUARE_FIXTURE["headers"], body, key, NOW, url=url)


def test_a_square_call_is_checked_against_the_webhook_url_proofhook_handed_out(app, client, make_notification):
    created = make_notification(signing_secret=SQUARE_KEY)
    body = json.dumps(SQUARE_FIXTURE["body"]).encode()
    url = created["webhook_url"]
    headers = {"Content-Type": "application/json",
               "x-square-hmacsha256-signature": base64.b64encode(mac(SQUARE_KEY.encode(), url.encode() + body)).decode()}
    response = client.post(webhook_path(created), data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    signed_for_another_url = {**headers, "x-square-hmacsha256-signature": base64.b64encode(
        mac(SQUARE_KEY.encode(), b"https://example.com/hook" + body)).decode()}
    assert client.post(webhook_path(created), data=body, headers=signed_for_another_url).status_code == 401


def test_paddle_accepts_any_of_several_h1_signatures_while_a_secret_is_rotated():
    good = mac(SECRET.encode(), f"{NOW}:".encode() + BODY).hex()
    old = mac(b"the previous secret", f"{NOW}:".encode() + BODY).hex()
    verify({"Paddle-Signature": f"ts={NOW};h1={old};h1={good}"}, BODY, SECRET, NOW)
    with pytest.raises(SignatureError, match="expected `ts=<timestamp>;"):
        verify({"Paddle-Signature": f"ts={NOW},h1={good}"}, BODY, SECRET, NOW)


def test_stripe_accepts_any_of_several_v1_signatures():
    good = mac(SECRET.encode(), f"{NOW}.".encode() + BODY).hex()
    old = mac(b"the previous secret", f"{NOW}.".encode() + BODY).hex()
    verify({"Stripe-Signature": f"t={NOW},v1={old},v1={good}"}, BODY, SECRET, NOW)
    with pytest.raises(SignatureError, match="Stripe-Signature: no v1"):
        verify({"Stripe-Signature": f"t={NOW},v1={old},v1={old}"}, BODY, SECRET, NOW)


def test_stripe_ignores_v0_and_needs_a_v1():
    v0 = mac(SECRET.encode(), f"{NOW}.".encode() + BODY).hex()
    with pytest.raises(SignatureError, match="expected `t=<timestamp>,v1="):
        verify({"Stripe-Signature": f"t={NOW},v0={v0}"}, BODY, SECRET, NOW)


def test_standard_webhooks_accepts_any_of_several_v1_signatures():
    headers = standard(BODY, WHSEC)
    other = base64.b64encode(mac(b"old key", b"x")).decode()
    headers["webhook-signature"] = f"v1,{other} v1a,bm90IGEgc2ln {headers['webhook-signature']}"
    verify(headers, BODY, WHSEC, NOW)
    headers["webhook-signature"] = f"v1,{other}"
    with pytest.raises(SignatureError, match="Standard Webhooks"):
        verify(headers, BODY, WHSEC, NOW)


def test_standard_webhooks_key_is_the_decoded_secret_with_or_without_prefix():
    bare = WHSEC.removeprefix("whsec_")
    verify(standard(BODY, WHSEC), BODY, bare, NOW)
    # A passphrase that isn't base64 keys the HMAC with its own bytes.
    verify(standard(BODY, "", key=b"my own passphrase!"), BODY, "my own passphrase!", NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp"])
def test_standard_webhooks_needs_id_and_timestamp(missing):
    headers = standard(BODY, WHSEC)
    del headers[missing]
    with pytest.raises(SignatureError, match="webhook-id and webhook-timestamp"):
        verify(headers, BODY, WHSEC, NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Proofhook-Signature": "sha1=abcdef"},
        {"X-Proofhook-Signature": "sha256=not hex"},
        {"X-Proofhook-Signature": ""},
        {"X-Shopify-Hmac-Sha256": "%%% not base64"},
        {"Stripe-Signature": "garbage"},
        {"Stripe-Signature": f"t=١٢٣,v1={'00' * 32}"},
        {"Stripe-Signature": f"t={'9' * 5000},v1={'00' * 32}"},
        {"webhook-id": "m", "webhook-timestamp": "soon", "webhook-signature": "v1,AAAA"},
    ],
)
def test_malformed_signatures_fail_cleanly(headers):
    with pytest.raises(SignatureError):
        verify(headers, BODY, SECRET, NOW)


# --- through the webhook --------------------------------------------------------------------------


def event_count(app) -> int:
    """Return how many events the app's database holds."""
    return len(stored(app))


@pytest.fixture
def signed(make_notification):
    """Return a stream notification that requires signatures."""
    return make_notification("stream", signing_secret=SECRET)


@pytest.mark.parametrize("scheme", ["X-Shopify-Hmac-Sha256", "X-WC-Webhook-Signature", "X-Proofhook-Signature"])
def test_signed_calls_are_stored(app, client, signed, scheme):
    sign, _ = SCHEMES[scheme]
    response = post_bytes(client, signed, sign(BODY, SECRET), BODY)
    assert response.status_code == 201, response.get_json()
    assert event_count(app) == 1


def test_stripe_and_standard_signatures_are_checked_against_the_clock(app, client, make_notification):
    now = int(time.time())
    charge = json.dumps(platform_fixture("stripe_charge_succeeded.json")["body"]).encode()
    stripe_n = make_notification("stream", signing_secret=SECRET)
    assert post_bytes(client, stripe_n, stripe(charge, SECRET, t=now), charge).status_code == 201
    assert post_bytes(client, stripe_n, stripe(charge, SECRET, t=now - 600), charge).status_code == 401
    standard_n = make_notification("stream", signing_secret=WHSEC)
    assert post_bytes(client, standard_n, standard(BODY, WHSEC, t=now), BODY).status_code == 201
    assert post_bytes(client, standard_n, standard(BODY, WHSEC, t=now - 600), BODY).status_code == 401
    assert event_count(app) == 2


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, BODY),
        (proofhook(BODY, "wrong secret"), BODY),
        (proofhook(BODY, SECRET), BODY + b" "),
        (shopify(BODY, SECRET), b"{not json"),
    ],
    ids=["unsigned", "wrong-secret", "tampered", "signed-garbage-is-still-checked-first"],
)
def test_unsigned_or_wrongly_signed_calls_are_401_and_store_nothing(app, client, signed, headers, body):
    response = post_bytes(client, signed, headers, body)
    assert response.status_code == 401
    answer = response.get_json()
    assert answer["code"] == 401 and answer["message"]
    assert event_count(app) == 0


def test_a_bad_body_with_a_good_signature_is_the_parsers_400(client, signed):
    body = b"{not json"
    assert post_bytes(client, signed, proofhook(body, SECRET), body).status_code == 400


def test_form_bodies_are_verified_on_their_raw_bytes(app, client, signed):
    body = b"email=jane.doe%40example.com&products%5B0%5D%5Bname%5D=T-Shirt&products%5B0%5D%5Blink%5D=https%3A%2F%2Fexample.com%2Ft"
    response = client.post(
        webhook_path(signed), data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **proofhook(body, SECRET)},
    )
    assert response.status_code == 201, response.get_json()


def test_unsigned_notifications_take_unsigned_calls(client, stream):
    assert stream["signed"] is False
    assert post_bytes(client, stream, {}, BODY).status_code == 201


# --- the secret in the API and on the page -------------------------------------------------------


def test_the_secret_is_never_echoed(client, admin_headers, signed):
    assert signed["signed"] is True
    assert SECRET not in json.dumps(signed)
    for path in ("/api/notifications", f"/api/notifications/{signed['id']}"):
        text = client.get(path, headers=admin_headers).get_data(as_text=True)
        assert SECRET not in text and '"signed": true' in text.replace('"signed":true', '"signed": true')


def test_patch_sets_and_clears_the_secret(app, client, admin_headers, stream):
    path = f"/api/notifications/{stream['id']}"
    patched = client.patch(path, json={"signing_secret": SECRET}, headers=admin_headers).get_json()
    assert patched["signed"] is True and SECRET not in json.dumps(patched)
    assert post_bytes(client, stream, {}, BODY).status_code == 401
    assert client.patch(path, json={"name": "renamed"}, headers=admin_headers).get_json()["signed"] is True
    for cleared in ("", None):
        client.patch(path, json={"signing_secret": SECRET}, headers=admin_headers)
        answer = client.patch(path, json={"signing_secret": cleared}, headers=admin_headers).get_json()
        assert answer["signed"] is False
    assert post_bytes(client, stream, {}, BODY).status_code == 201


@pytest.mark.parametrize("secret", ["x" * 501, 42, ["a"]])
def test_bad_secrets_are_422(client, admin_headers, secret):
    response = client.post(
        "/api/notifications", json={"name": "n", "type": "stream", "signing_secret": secret}, headers=admin_headers
    )
    assert response.status_code == 422
    assert "signing_secret" in response.get_json()["errors"]


def test_the_page_sets_keeps_and_clears_the_secret(client, stream):
    log_in(client)
    page_path = f"/notifications/{stream['id']}"
    page = client.get(page_path).text
    field = page[page.index('id="signing_secret"') - 20:page.index('id="signing_secret"') + 300]
    assert 'type="password"' in field and "value=" not in field
    settings = f"/notifications/{stream['id']}/settings"
    token = csrf_token_from(page)
    form = {"csrf_token": token, "name": "Purchases", "message": "bought", "signing_secret": SECRET}
    assert client.post(settings, data=form).status_code == 302
    page = client.get(page_path).text
    assert SECRET not in page and "Remove the signing secret" in page
    assert post_bytes(client, stream, {}, BODY).status_code == 401
    # Saving other settings with the secret field left blank keeps the secret.
    assert client.post(settings, data={**form, "name": "Renamed", "signing_secret": ""}).status_code == 302
    assert post_bytes(client, stream, {}, BODY).status_code == 401
    assert client.post(settings, data={"csrf_token": token, "clear_signing_secret": "1"}).status_code == 302
    assert post_bytes(client, stream, {}, BODY).status_code == 201
    assert "Remove the signing secret" not in client.get(page_path).text


def test_a_bad_secret_on_the_page_is_shown_not_stored(client, stream):
    log_in(client)
    page = client.get(f"/notifications/{stream['id']}").text
    too_long = "s3cret" * 100
    response = client.post(
        f"/notifications/{stream['id']}/settings",
        data={"csrf_token": csrf_token_from(page), "name": "x", "signing_secret": too_long},
    )
    assert response.status_code == 422 and "Longer than maximum length 500" in response.text
    assert too_long not in response.text
    assert post_bytes(client, stream, {}, BODY).status_code == 201


def test_svix_headers_are_standard_webhooks():
    headers = {name.replace("webhook-", "svix-"): value for name, value in standard(BODY, WHSEC).items()}
    verify(headers, BODY, WHSEC, NOW)
    headers["svix-signature"] = headers["svix-signature"][:-4] + "AAA="
    with pytest.raises(SignatureError, match="Standard Webhooks"):
        verify(headers, BODY, WHSEC, NOW)


def test_a_stripe_whsec_secret_keys_the_hmac_with_the_whole_string():
    secret = "whsec_" + "a1B2" * 8
    verify(stripe(BODY, secret), BODY, secret, NOW)


# --- one scheme per notification ------------------------------------------------------------------


def test_a_stripe_signature_replayed_as_another_scheme_is_refused(app, client, signed):
    now = int(time.time())
    charge = json.dumps(platform_fixture("stripe_charge_succeeded.json")["body"]).encode()
    assert post_bytes(client, signed, stripe(charge, SECRET, t=now), charge).status_code == 201
    # The captured Stripe signature is an HMAC of "{t}.{body}" with the secret's bytes: as a body of its own,
    # it is exactly what X-Proofhook-Signature (and Shopify, WooCommerce) would sign. Hours later, as often as
    # one likes, it must still be refused.
    v1 = stripe(BODY, SECRET, t=now - 3600)["Stripe-Signature"].split(",")[1].removeprefix("v1=")
    replay = f"{now - 3600}.".encode() + BODY
    for header in ("X-Proofhook-Signature", "X-Shopify-Hmac-Sha256"):
        value = "sha256=" + v1 if header == "X-Proofhook-Signature" else base64.b64encode(bytes.fromhex(v1)).decode()
        response = client.post(webhook_path(signed), data=replay, headers={
            "Content-Type": "application/x-www-form-urlencoded", header: value})
        assert response.status_code == 401, response.get_json()
        assert "stripe-signature" in response.get_json()["message"]
    assert event_count(app) == 1


def test_the_first_valid_call_binds_the_scheme_and_a_new_secret_unbinds_it(app, client, signed, admin_headers):
    assert post_bytes(client, signed, proofhook(BODY, SECRET), BODY).status_code == 201
    path = f"/api/notifications/{signed['id']}"
    assert client.get(path, headers=admin_headers).get_json()["signing_scheme"] == "x-proofhook-signature"
    other = b'{"email": "jane.doe@example.com"}'
    assert post_bytes(client, signed, shopify(other, SECRET), other).status_code == 401
    assert post_bytes(client, signed, proofhook(other, SECRET), other).status_code == 201
    client.patch(path, json={"signing_secret": SECRET}, headers=admin_headers)
    assert client.get(path, headers=admin_headers).get_json()["signing_scheme"] is None
    third = b'{"email": "jo.king@example.com"}'
    assert post_bytes(client, signed, shopify(third, SECRET), third).status_code == 201
    assert event_count(app) == 3


def test_verify_names_the_scheme_that_verified_and_takes_only_a_bound_one():
    sign, secret = SCHEMES["Stripe-Signature"]
    assert verify(sign(BODY, secret), BODY, secret, NOW) == "stripe-signature"
    assert verify(sign(BODY, secret), BODY, secret, NOW, bound="stripe-signature") == "stripe-signature"
    with pytest.raises(SignatureError, match="x-proofhook-signature"):
        verify(sign(BODY, secret), BODY, secret, NOW, bound="x-proofhook-signature")


def test_a_signed_body_s_own_id_beats_new_idempotency_keys_so_a_replay_is_a_duplicate(app, client, signed):
    body = b'{"id": "order-1", "email": "john.smith@example.com", "productName": "Sneakers"}'
    answers = [post_bytes(client, signed, {**proofhook(body, SECRET), "Idempotency-Key": f"k{n}"}, body)
               for n in range(3)]
    assert [answer.get_json()["status"] for answer in answers] == ["created", "duplicate", "duplicate"]
    assert event_count(app) == 1
