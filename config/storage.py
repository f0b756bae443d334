"""The file storage shared by web and worker processes (letter PDFs, uploaded imports).

``default_storage`` is a folder (``MEDIA_ROOT``) on one machine, or an S3-compatible
object store when ``S3_BUCKET`` is set (config/settings.py). ``OUTAGE`` names the errors
of an object store that cannot be reached: a request answers 503 "try again" and a task
retries, as for a database or Redis that is away.
"""

import uuid

from botocore.exceptions import ConnectionError as _Unreachable
from botocore.exceptions import HTTPClientError as _HttpClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

OUTAGE = (_Unreachable, _HttpClientError)


def probe() -> str:
    """Write, read back and delete a small file through the default storage; returns a
    line describing the storage, raises on any failure (``manage.py storage_check``)."""
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save("healthcheck/probe-%s.txt" % uuid.uuid4().hex, ContentFile(payload))
    try:
        with default_storage.open(name, "rb") as stream:
            read = stream.read()
        if read != payload:
            raise OSError("The file read back differs from the one written (%s)" % name)
    finally:
        default_storage.delete(name)
    if default_storage.exists(name):
        raise OSError("The probe file %s is still there after it was deleted" % name)
    return describe()


def describe() -> str:
    """Where files go, for people: the bucket and endpoint, or the folder."""
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        endpoint = getattr(default_storage, "endpoint_url", None) or "AWS S3"
        location = getattr(default_storage, "location", "")
        return "S3 bucket %s%s at %s" % (bucket, "/" + location if location else "", endpoint)
    return "folder %s" % getattr(default_storage, "location", "?")


def bucket_create() -> bool:
    """Create the S3 bucket if it is missing; False when it existed (or no S3 is used)."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is None:
        return False
    client = default_storage.connection.meta.client
    try:
        client.head_bucket(Bucket=bucket.name)
        return False
    except client.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"}:
            raise
    client.create_bucket(Bucket=bucket.name)
    return True
