"""Structured JSON log lines and the request id (issue 12 item 7)."""

import json
import logging

from django.test import Client, override_settings

from dte.ops.logging import JsonFormatter, RequestIdFilter, request_id_var


def test_json_line_carries_fields_extra_and_exception():
    record = logging.LogRecord("dte.x", logging.ERROR, __file__, 1, "job %s failed", (7,), None)
    record.job_kind = "report"
    token = request_id_var.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and line["logger"] == "dte.x" and line["message"] == "job 7 failed"
    assert line["request_id"] == "req-12345678"
    assert line["job_kind"] == "report"
    assert "ValueError: boom" in line["exc"]
    assert line["ts"].endswith("+00:00")


def test_unserialisable_extra_is_repr():
    record = logging.LogRecord("dte.x", logging.INFO, __file__, 1, "hi", None, None)
    record.thing = object()
    assert json.loads(JsonFormatter().format(record))["thing"].startswith("<object")


@override_settings(DTE_REQUEST_LOG=True)
def test_request_id_echoed_and_logged_with_route_not_path(caplog):
    with caplog.at_level(logging.INFO, logger="dte.request"):
        response = Client().get("/healthz", HTTP_X_REQUEST_ID="abcdef12-proxy")
    assert response["X-Request-ID"] == "abcdef12-proxy"
    record = next(r for r in caplog.records if r.name == "dte.request")
    assert record.route == "healthz" and record.status == 200 and record.method == "GET"
    assert record.duration_ms >= 0
    assert request_id_var.get() is None  # reset after the request


def test_log_lines_inside_a_request_carry_its_id():
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dte.request")
    logger.addHandler(handler)
    try:
        with override_settings(DTE_REQUEST_LOG=True):
            Client().get("/healthz", HTTP_X_REQUEST_ID="trace-0001-abc")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "trace-0001-abc" and line["route"] == "healthz" and line["status"] == 200


def test_malformed_request_id_is_replaced():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline" and len(response["X-Request-ID"]) == 32
