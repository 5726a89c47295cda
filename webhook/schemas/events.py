"""The webhook's input schemas: a stream event (ours or a platform's, mapped) and a conversion."""
from collections.abc import Mapping

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, post_load, pre_load, validate
from marshmallow.utils import set_value

from ..vocabulary import MAX_PRODUCTS, PLACE_FIELDS
from .fields import Amount, BoundedList, Email, HttpUrl, Identifier, IPAddress, Text, Timestamp


class WebhookSchema(Schema):
    """The common base: webhook bodies carry many keys we don't use, and nulls mean 'absent'."""

    class Meta:
        unknown = EXCLUDE

    def __init__(self, *args, **kwargs):
        """Build the schema once, with the plan of which fields a load must visit even when their key is absent."""
        super().__init__(*args, **kwargs)
        self.load_plan = [
            (field.data_key if field.data_key is not None else name, field.attribute or name, field,
             field.required or field.load_default is not missing)
            for name, field in self.load_fields.items()
        ]

    def _deserialize(self, data, *, error_store, many=False, partial=None, unknown=RAISE, index=None):
        """Load the fields of one body, passing over the optional ones whose key it didn't send."""
        # A body sends a few of the event's many fields: marshmallow's own loop runs every absent field
        # through a closure and Field.deserialize only to learn it is missing, most of a webhook's load.
        # An absent key of a field that is neither required nor defaulted loads nothing, so skipping it
        # changes no result and no message; any other kind of load takes marshmallow's own loop.
        if many or partial is not None or unknown != EXCLUDE or not (type(data) is dict or isinstance(data, Mapping)):
            return super()._deserialize(data, error_store=error_store, many=many, partial=partial,
                                        unknown=unknown, index=index)
        index = index if self.opts.index_errors else None
        loaded = self.dict_class()
        for data_key, key, field, visit_absent in self.load_plan:
            value = data.get(data_key, missing)
            if value is missing and not visit_absent:
                continue
            try:
                value = field.deserialize(value, data_key, data)
            except ValidationError as error:
                error_store.store_error(error.messages, data_key, index=index)
                value = error.valid_data or missing
            if value is not missing:
                set_value(loaded, key, value)
        return loaded

    @post_load
    def drop_absent(self, data, **kwargs):
        """Leave out the fields that were null or empty, then finish the event."""
        # The only place absent values are dropped: what follows sees only the fields that were given.
        return self.finish({key: value for key, value in data.items() if value is not None})

    def finish(self, data: dict) -> dict:
        """Return a loaded dict, its absent fields left out, in its final shape (as it is, here)."""
        return data


class ProductSchema(WebhookSchema):
    """One line item of `products[]`: a link is optional (shop exports have none), but must be http(s) if given."""

    name = Text(max_length=300, required=True, allow_none=False)
    link = HttpUrl()
    id = Identifier(allow_none=True)
    image = HttpUrl()
    price = Amount()
    quantity = Amount()


class StreamEventSchema(WebhookSchema):
    """A stream event: the seed's fields, coerced; the displayed product picked."""

    email = Email(required=True)
    timestamp = Timestamp(allow_none=True)
    ip = IPAddress()
    firstName = Text(max_length=100)
    lastName = Text(max_length=100)
    city = Text()
    state = Text()
    stateCode = Text(max_length=10)
    country = Text()
    countryCode = Text(max_length=3)
    guid = Identifier(allow_none=True)
    productName = Text(max_length=300)
    productLink = HttpUrl()
    productImage = HttpUrl()
    total = Amount()
    currency = Text(max_length=3, validate=validate.Regexp(r"^[A-Za-z]{3}$", error="Must be a 3-letter code."))
    products = BoundedList(fields.Nested(ProductSchema), MAX_PRODUCTS, allow_none=True)

    @pre_load
    def flatten_location(self, data, **kwargs):
        """Accept the place fields inside a `location` object too (`location[city]=…` in forms)."""
        location = data.get("location")
        if isinstance(location, dict):
            data = {**{k: v for k, v in location.items() if k in PLACE_FIELDS}, **data}
        return data

    def finish(self, data: dict) -> dict:
        """Show the most expensive product (or the first); explicit product fields win."""
        if "currency" in data:
            data["currency"] = data["currency"].upper()
        products = data.get("products")
        if products:
            priced = [p for p in products if p.get("price") is not None]
            shown = max(priced, key=lambda p: p["price"]) if priced else products[0]
            for field, key in (("productName", "name"), ("productLink", "link"), ("productImage", "image")):
                if field not in data and shown.get(key):
                    data[field] = shown[key]
        return data


class PlatformEventSchema(StreamEventSchema):
    """A stream event mapped from a recognised platform: a paid event without an email is shown as "Someone"."""

    # The email rule is for payloads in our own vocabulary; Stripe's charges often carry none.
    email = Email(allow_none=True)


class ConversionEventSchema(WebhookSchema):
    """A conversion: nothing is required; only its time and guid are kept."""

    timestamp = Timestamp(allow_none=True)
    guid = Identifier(allow_none=True)


stream_event_schema = StreamEventSchema()
platform_event_schema = PlatformEventSchema()
conversion_event_schema = ConversionEventSchema()
