"""The ceiling for this stack: a bare Flask app served by the same gunicorn config as Proofhook."""
from flask import Flask, request

app = Flask(__name__)

# About the size of a small feed answer, so the GET ceiling pays for a JSON body too.
FEED = {"events": [{"displayName": "John S.", "place": "Miami, Florida", "productName": "Sneakers"}]}
ETAG = '"bare-feed-1"'


@app.post("/", defaults={"anything": ""})
@app.post("/<path:anything>")
def accept(anything):
    """Take any POST and answer 204, reading nothing."""
    return "", 204


@app.get("/", defaults={"anything": ""})
@app.get("/<path:anything>")
def feed(anything):
    """Answer any GET with a fixed small JSON, or 304 when the client has it."""
    if request.headers.get("If-None-Match") == ETAG:
        return "", 304, {"ETag": ETAG}
    return FEED, 200, {"ETag": ETAG}
