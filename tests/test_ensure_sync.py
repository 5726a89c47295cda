"""Proofhook's ensure_sync: plain functions as they are, coroutine functions still through Flask's own check."""
import functools

from webhook import create_app


def test_plain_functions_and_methods_are_returned_as_they_are(app_config):
    app = create_app(app_config)

    def view():
        """A plain view."""

    class Handler:
        """Something with a plain method."""

        def handle(self):
            """A plain method."""

    bound = Handler().handle
    assert app.ensure_sync(view) is view and app.ensure_sync(bound) is bound
    partial = functools.partial(view)
    assert app.ensure_sync(partial) is partial  # no code of its own: Flask's check, the same answer


def test_a_coroutine_function_still_goes_through_flasks_check(app_config):
    app = create_app(app_config)
    calls = []
    app.async_to_sync = lambda func: calls.append(func) or (lambda *a, **k: "wrapped")

    async def view():
        """An async view."""

    class Handler:
        """Something with an async method."""

        async def handle(self):
            """An async method."""

    bound = Handler().handle
    assert app.ensure_sync(view)() == "wrapped" and app.ensure_sync(bound)() == "wrapped"
    assert calls == [view, bound]
