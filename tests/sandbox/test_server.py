"""The HTTP server itself: keep-alive, lifecycle, loopback only."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlsplit

import pytest

from xerosync_desktop.sandbox import SandboxOptions, XeroSandbox


def test_keep_alive_serves_several_requests_on_one_connection(sandbox: XeroSandbox) -> None:
    parts = urlsplit(sandbox.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/api.xro/2.0/Contacts")
            response = conn.getresponse()
            body = response.read()
            assert response.status == 401
            assert int(response.getheader("Content-Length")) == len(body)
            assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    finally:
        conn.close()


def test_stop_closes_the_port_and_open_connections_and_is_idempotent() -> None:
    sandbox = XeroSandbox(SandboxOptions()).start()
    parts = urlsplit(sandbox.url)
    idle = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    idle.request("GET", "/connections")
    idle.getresponse().read()
    sandbox.stop()
    sandbox.stop()
    with pytest.raises(OSError):
        idle.request("GET", "/connections")
        idle.getresponse()
    with pytest.raises(OSError), socket.create_connection((parts.hostname, parts.port), 1):
        pass


def test_context_manager_and_url() -> None:
    sandbox = XeroSandbox(SandboxOptions())
    with pytest.raises(RuntimeError):
        _ = sandbox.url
    with sandbox as running:
        assert running is sandbox
        assert running.url.startswith("http://127.0.0.1:") and not running.url.endswith("/")


def test_options_refuse_a_non_loopback_host_and_unknown_data() -> None:
    with pytest.raises(ValueError):
        SandboxOptions(host="0.0.0.0")
    with pytest.raises(ValueError):
        SandboxOptions(data="full")
