"""The built-in webhook notifier, against a real HTTP server on 127.0.0.1."""

import hashlib
import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plugins import webhook
from portal.deployments import lifecycle, sealed
from tests.deployments.factories import RunFactory

pytestmark = pytest.mark.django_db


class Receiver:
    """Records every POST; answers the statuses in ``replies`` first, then 200."""

    def __init__(self):
        self.requests, self.replies = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                self.send_response(receiver.replies.pop(0) if receiver.replies else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(webhook, "RETRY_PAUSE_SECONDS", 0.01)


@pytest.fixture
def receiver(settings):
    server = Receiver()
    settings.PLATEAU_WEBHOOK_URLS = [f"{server.url}/hook?token=abc"]
    settings.PLATEAU_WEBHOOK_SECRET = "shared-secret"
    settings.SITE_URL = "https://plateau.example.com"
    yield server
    server.close()


@pytest.fixture
def run():
    return RunFactory(
        status="applying",
        values={"label": "visible-value"},
        values_sealed=sealed.seal({"password": "hunter2-secret"}),
        summary={"data": {"add": 1, "change": 0, "destroy": 0}},
    )


def test_a_finished_run_is_posted_signed_without_values(receiver, run):
    assert lifecycle.finish(run, "succeeded")
    [(path, headers, body)] = receiver.requests
    assert path == "/hook?token=abc"
    expected = "sha256=" + hmac.new(b"shared-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Plateau-Signature"] == expected
    payload = json.loads(body)
    assert payload["run"]["id"] == run.pk and payload["run"]["status"] == "succeeded"
    assert payload["run"]["kind"] == "apply"
    assert payload["run"]["changes"] == {"data": {"add": 1, "change": 0, "destroy": 0}}
    assert payload["run"]["url"] == f"https://plateau.example.com/runs/{run.pk}/"
    assert payload["run"]["requested_by"] == run.requested_by.username
    assert payload["run"]["finished"]
    assert payload["deployment"]["name"] == run.deployment.name
    assert payload["environment"]["name"] == run.deployment.environment.name
    assert payload["stack_version"]["version"] == run.deployment.stack_version.name
    assert b"visible-value" not in body and b"hunter2-secret" not in body


def test_a_drift_check_is_posted_with_the_drifted_deployment(receiver, run):
    run.kind = "drift"
    run.save()
    run.deployment.status = "drifted"
    run.deployment.save()
    assert lifecycle.finish(run, "succeeded")
    payload = json.loads(receiver.requests[0][2])
    assert payload["run"]["kind"] == "drift" and payload["deployment"]["status"] == "drifted"


def test_failures_are_retried_then_logged_never_raised(receiver, run, caplog):
    receiver.replies = [500]
    assert lifecycle.finish(run, "failed", "boom")
    assert len(receiver.requests) == 2  # one failure, one retry that got through
    receiver.requests.clear()
    receiver.replies = [503, 503, 503]
    caplog.set_level(logging.WARNING, logger="plugins.webhook")
    assert webhook.post(receiver.url + "/hook?token=abc", b"{}") is False
    assert len(receiver.requests) == 3
    assert "attempt 3/3" in caplog.text and "token=abc" not in caplog.text


def test_an_unreachable_receiver_does_not_break_the_run(settings, run, caplog):
    settings.PLATEAU_WEBHOOK_URLS = ["http://127.0.0.1:9/nothing-listens"]
    settings.PLATEAU_WEBHOOK_TIMEOUT = 1
    assert lifecycle.finish(run, "cancelled")
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert "webhook to 127.0.0.1 failed" in caplog.text
