"""Median latency of a connection GET through azure-mgmt-cognitiveservices on loopback.

Run from the repository root: .venv/bin/python -m tests.emulator.bench [--count 200]
"""

import argparse
import statistics
import tempfile
import time

from tests.emulator import world
from tests.emulator.fixtures import EmulatorClient, EmulatorServer
from tests.emulator.sdk import api_key_connection_body, clients, put_account_connection, seeded_account_and_project


def main():
    """Start an emulator, create one connection, GET it --count times and print the median and p95 in ms."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        server = EmulatorServer(directory).start()
        try:
            emulator = EmulatorClient(server)
            emulator.seed(seeded_account_and_project())
            sdk = clients(emulator)
            put_account_connection(sdk.cs, "foundry1", "openai", api_key_connection_body())
            sdk.cs.account_connections.get(world.RESOURCE_GROUP, "foundry1", "openai")
            samples = []
            for _index in range(args.count):
                start = time.perf_counter()
                sdk.cs.account_connections.get(world.RESOURCE_GROUP, "foundry1", "openai")
                samples.append((time.perf_counter() - start) * 1000)
        finally:
            server.stop()
    samples.sort()
    print(
        f"connection GET x{args.count}: median {statistics.median(samples):.2f} ms, "
        f"p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
