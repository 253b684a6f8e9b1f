"""dte/ops/wsgi.py: the plumbing the WSGI layers share with RequestIdMiddleware."""

from __future__ import annotations

import io

from dte.ops.wsgi import Capture, request_id_of, to_django, without


def test_request_id_supplied_when_well_formed_else_new():
    assert request_id_of({"HTTP_X_REQUEST_ID": "trace-0001-abc"}) == "trace-0001-abc"
    for bad in ("short", "bad id\nwith newline", "x" * 65, ""):
        made = request_id_of({"HTTP_X_REQUEST_ID": bad})
        assert made != bad and len(made) == 32
    assert len(request_id_of({})) == 32


def test_capture_passes_on_and_keeps_the_first_answer():
    given = []
    capture = Capture(lambda *args: given.append(args))
    capture("200 OK", [("X-Request-ID", "a"), ("Vary", "Cookie")])
    capture("500 Internal Server Error", [], ("exc", "info", None))
    assert given == [("200 OK", [("X-Request-ID", "a"), ("Vary", "Cookie")]), ("500 Internal Server Error", [], ("exc", "info", None))]
    assert capture.status == "200 OK" and without(capture.headers, {"x-request-id"}) == [("Vary", "Cookie")]


def test_to_django_puts_the_body_back():
    environ = {"wsgi.input": io.BytesIO(b"")}
    assert to_django(lambda env, start: [env["wsgi.input"].read()], environ, None, b'{"lat": 1}') == [b'{"lat": 1}']
