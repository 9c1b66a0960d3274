"""The fake Vaix service on loopback: real sockets, real connection faults, clean stops."""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from vaix_client.testing import (
    DropConnectionFault,
    FakeVaix,
    StatusFault,
    TruncatedBodyFault,
    serve,
)
from vaix_client.testing._server import _check_host

PATH = "/api/casino/game_sessions/latest"
AUTH = {"Authorization": "Bearer demo-token", "x-vaix-client-id": "demo"}


async def test_serves_demo_data_over_a_socket() -> None:
    """``serve`` listens on 127.0.0.1 with a free port and answers demo user "1" as in-process."""
    fake = FakeVaix(seed=0)
    async with serve(fake) as url, httpx.AsyncClient(base_url=url, headers=AUTH) as http:
        assert url.startswith("http://127.0.0.1:")
        response = await http.get(PATH, params={"user": "1", "count": 5})
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data) == 5
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as local:
        assert (await local.get(PATH, params={"user": "1", "count": 5})).json()["data"] == data


async def test_status_fault_over_a_socket() -> None:
    """A StatusFault's status and Retry-After cross the socket."""
    fake = FakeVaix(seed=0)
    fake.inject(StatusFault(429, retry_after="3"))
    async with serve(fake) as url, httpx.AsyncClient(base_url=url, headers=AUTH) as http:
        response = await http.get(PATH, params={"user": "1"})
    assert (response.status_code, response.headers["retry-after"]) == (429, "3")


async def _failure(client: httpx.AsyncClient) -> httpx.TransportError:
    with pytest.raises(httpx.TransportError) as caught:
        await client.get(PATH, params={"user": "1"})
    return caught.value


@pytest.mark.parametrize(
    "fault",
    [DropConnectionFault(), DropConnectionFault(before_response=False), TruncatedBodyFault()],
    ids=["drop-before-response", "drop-after-headers", "truncated"],
)
async def test_connection_faults_over_a_socket_match_in_process(
    fault: DropConnectionFault | TruncatedBodyFault, caplog: pytest.LogCaptureFixture
) -> None:
    """The socket really closes (same httpx error as in-process, no uvicorn log), then recovers."""
    fake = FakeVaix(seed=0)
    fake.inject(fault)
    caplog.set_level(logging.WARNING)
    async with serve(fake) as url, httpx.AsyncClient(base_url=url, headers=AUTH) as http:
        remote = await _failure(http)
        assert (await http.get(PATH, params={"user": "1"})).status_code == 200
    fake.inject(fault)
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url="http://fake", headers=AUTH
    ) as local:
        in_process = await _failure(local)
    assert type(remote) is type(in_process) is httpx.RemoteProtocolError
    assert str(remote) == str(in_process)
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


async def test_server_stops_cleanly() -> None:
    """Leaving ``serve`` stops the server: the port no longer accepts connections."""
    async with serve(FakeVaix()) as url, httpx.AsyncClient(base_url=url, headers=AUTH) as http:
        assert (await http.get(PATH, params={"user": "1"})).status_code == 200
    async with httpx.AsyncClient(base_url=url) as late:
        with pytest.raises(httpx.ConnectError):
            await late.get(PATH)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.com"])  # noqa: S104
async def test_non_loopback_hosts_are_refused(host: str) -> None:
    """``serve`` refuses a host that is not loopback, before binding anything."""
    with pytest.raises(ValueError, match="loopback"):
        async with serve(FakeVaix(), host=host):
            pass  # pragma: no cover - never reached


@pytest.mark.parametrize(
    ("host", "allow_remote"),
    [("127.0.0.1", False), ("127.0.0.2", False), ("::1", False), ("localhost", False),
     ("0.0.0.0", True)],  # noqa: S104
)  # fmt: skip
def test_loopback_or_explicitly_allowed_hosts_pass(host: str, allow_remote: bool) -> None:
    """Loopback addresses, ``localhost`` and anything with ``allow_remote`` are accepted."""
    _check_host(host, allow_remote=allow_remote)


async def test_port_in_use_is_an_os_error() -> None:
    """A port that cannot be bound raises OSError instead of exiting the process."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="could not listen"):
            async with serve(FakeVaix(), port=port):
                pass  # pragma: no cover - never reached


@pytest.mark.slow
def test_run_serves_until_sigint() -> None:
    """``run`` blocks serving, reports its URL via ``on_ready`` and stops on SIGINT."""
    script = (
        "from vaix_client.testing import FakeVaix, run\n"
        "try:\n"
        "    run(FakeVaix(seed=0), port=0, on_ready=lambda url: print(url, flush=True))\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        with httpx.Client(base_url=url, headers=AUTH) as http:
            assert http.get(PATH, params={"user": "1"}).status_code == 200
        process.send_signal(signal.SIGINT)
        rest = process.stdout.read()
        assert process.wait(timeout=10) == 0
    assert rest == "stopped\n"
