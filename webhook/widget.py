"""The widget script as it is served: minified once per process, with its ETag, version and integrity hash."""
import base64
import functools
import hashlib
from pathlib import Path

from rjsmin import jsmin

SOURCE = Path(__file__).parent / "static" / "widget.js"


@functools.cache
def widget_script() -> tuple[bytes, str]:
    """Return the widget's bytes, minified, and their ETag, made once per process (every visitor of every site asks)."""
    # Minified, the comments that explain it stay in the source and out of every page's download.
    script = jsmin(SOURCE.read_bytes())
    return script, hashlib.sha256(script).hexdigest()[:32]


def widget_version() -> str:
    """Return the `v` of the versioned widget URL: the start of its ETag, new whenever the script changes."""
    return widget_script()[1][:12]


@functools.cache
def widget_integrity() -> str:
    """Return the widget's Subresource Integrity hash, for a snippet with integrity="…" (sites with a strict CSP)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(widget_script()[0]).digest()).decode()
