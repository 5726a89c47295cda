"""Each notification's feed_version, and which storage writes change it.

A feed's cached body and its ETag are right only while every write that changes what visitors see bumps the
notification's feed_version in the same transaction. So every write function in the storage layer says which
kind it is, with @changes_feed or @keeps_feed, and tests/test_feed_versions.py fails on one that says neither.
"""

# The registries the decorators fill, by "module.function"; tests read them, the app never does.
CHANGES_FEED: set[str] = set()
KEEPS_FEED: set[str] = set()


def changes_feed(function):
    """Mark a write that can change what visitors see: it bumps feed_version in its transaction (or its caller's)."""
    CHANGES_FEED.add(f"{function.__module__}.{function.__qualname__}")
    return function  # unwrapped: the mark costs nothing on the webhook's hot path


def keeps_feed(function):
    """Mark a write after which every cached feed body and ETag is still right (no bump needed)."""
    KEEPS_FEED.add(f"{function.__module__}.{function.__qualname__}")
    return function


# Every write that can change what the feed shows runs this in its transaction (see feed_etag in feed.py).
BUMP_FEED = "feed_version = feed_version + 1"


@changes_feed
def bump_feeds(conn, notification_id: int | None = None) -> None:
    """Change one notification's feed ETag (all of them without an id), inside the caller's transaction."""
    if notification_id is None:
        conn.execute(f"UPDATE notifications SET {BUMP_FEED}")
    else:
        conn.execute(f"UPDATE notifications SET {BUMP_FEED} WHERE id = ?", (notification_id,))
