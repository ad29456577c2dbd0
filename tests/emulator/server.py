"""Command line entry: TLS with a fresh CA, env.sh, the uvicorn server and its connection-dropping protocol."""

import argparse
import asyncio
import os
import shlex
import signal
import socket
import sys

import trustme
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from tests.emulator import world
from tests.emulator.app import build_app


class DroppingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a scope hook that lets the app close the connection without answering."""

    def connection_made(self, transport):
        super().connection_made(transport)
        inner = self.app

        async def app_with_drop_hook(scope, receive, send):
            if scope["type"] == "http":
                scope["emulator.drop"] = self._drop
            await inner(scope, receive, send)

        self.app = app_with_drop_hook

    def shutdown(self):
        """Abort idle keep-alive connections at once (a TLS close would wait for idle clients)."""
        if self.cycle is None or self.cycle.response_complete:
            self.transport.abort()
        else:
            super().shutdown()

    def _drop(self):
        if self.cycle is not None:
            self.cycle.disconnected = True
        self.transport.abort()


def env_lines(url, ca_path):
    """The export lines of env.sh."""
    values = {
        "AZURE_CLOUD_ENVIRONMENT": f"{url}/metadata/endpoints",
        "REQUESTS_CA_BUNDLE": ca_path,
        "SSL_CERT_FILE": ca_path,
        "AZURE_SUBSCRIPTION_ID": world.SUBSCRIPTION_ID,
        "AZURE_CLIENT_ID": world.OWNER_CLIENT_ID,
        "AZURE_SECRET": world.OWNER_SECRET,
        "AZURE_TENANT": world.TENANT_ID,
        "EMULATOR_URL": url,
    }
    return [f"export {key}={shlex.quote(value)}" for key, value in values.items()]


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


async def _serve(server, sock, url, directory, ca_path):
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        _write_private(os.path.join(directory, "env.sh"), "\n".join(env_lines(url, ca_path)) + "\n")
        print(f"emulator ready at {url}", flush=True)
    await task


def _exit_cleanly(_signum, _frame):
    raise SystemExit(0)


def main(argv=None):
    """Run the emulator until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--dir", required=True, help="directory for ca.pem, env.sh and the server key")
    args = parser.parse_args(argv)
    os.makedirs(args.dir, exist_ok=True)
    directory = os.path.abspath(args.dir)
    ca = trustme.CA()
    ca_path = os.path.join(directory, "ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    server_pem = os.path.join(directory, "server.pem")
    _write_private(server_pem, ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.bytes().decode())
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only for sockets whose proto says TCP (else ~40 ms per response).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    url = f"https://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        build_app(),
        ssl_certfile=server_pem,
        ssl_keyfile=server_pem,
        http=DroppingH11Protocol,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    # uvicorn handles SIGTERM/SIGINT while serving, then re-raises them; these handlers turn that into exit code 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    signal.signal(signal.SIGINT, _exit_cleanly)
    try:
        asyncio.run(_serve(server, sock, url, directory, ca_path))
    finally:
        os.unlink(server_pem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
