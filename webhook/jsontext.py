"""Compact JSON text, written by orjson where it can and by the standard library where orjson refuses."""
import json

import orjson

# Dates go to the caller's `default` (Flask's: HTTP dates), not orjson's RFC 3339; dataclasses likewise.
PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact(value, default=None, sort_keys: bool = False) -> bytes:
    """Return value as compact UTF-8 JSON; what json.dumps would mean by it, at a tenth of its cost."""
    try:
        return orjson.dumps(value, default=default, option=PASSTHROUGH | (orjson.OPT_SORT_KEYS if sort_keys else 0))
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, non-string keys, lone surrogates: json.dumps writes them (or says why not),
        # non-ASCII as UTF-8 as orjson does, but a lone surrogate (which UTF-8 can't hold) as a \u escape.
        text = json.dumps(value, default=default, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode()
        except UnicodeEncodeError:
            return json.dumps(value, default=default, sort_keys=sort_keys, separators=(",", ":")).encode()
