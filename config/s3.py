"""The default storage's settings: a folder (MEDIA_ROOT), or an S3-compatible object
store when S3_BUCKET is set (``settings.S3_BUCKET``, ``settings.DEFAULT_STORAGE``)."""

import os

from config.env import env_bool, env_int


def _s3_setting(name: str, default: str = "") -> str:
    """S3_* wins; the AWS_* name (as boto3 and django-storages spell it) is read too."""
    value = os.environ.get("S3_" + name, "").strip()
    return value or os.environ.get("AWS_" + name, "").strip() or default


def s3_bucket() -> str:
    """The bucket's name (S3_BUCKET, or AWS_STORAGE_BUCKET_NAME); empty: no object store."""
    return os.environ.get("S3_BUCKET", "").strip() or _s3_setting("STORAGE_BUCKET_NAME")


def default_storage(bucket: str, timeout: float) -> dict:
    """The ``default`` entry of ``STORAGES``: files on disk without a bucket, else the
    private bucket with every call given up after ``timeout`` seconds."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config as BotoConfig

    addressing_style = os.environ.get("S3_ADDRESSING_STYLE", "path").strip()
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": _s3_setting("ENDPOINT_URL") or None,
            "access_key": _s3_setting("ACCESS_KEY_ID") or None,
            "secret_key": _s3_setting("SECRET_ACCESS_KEY") or None,
            "region_name": _s3_setting("REGION_NAME", _s3_setting("REGION")) or None,
            # A folder inside the bucket (several installations may share one bucket).
            "location": os.environ.get("S3_PREFIX", "").strip().strip("/"),
            # Path-style addresses (http://host:port/bucket/key) work with every
            # S3-compatible server; virtual-host style needs DNS per bucket.
            "addressing_style": addressing_style,
            "signature_version": "s3v4",
            "default_acl": None,  # private: the bucket's own policy, no public-read
            "querystring_auth": True,
            "file_overwrite": False,  # a second file of the same name gets a new name
            # A file read by the app (an import being imported, a PDF being served) is
            # buffered in memory up to this size, then in a temporary file on disk.
            "max_memory_size": env_int("S3_MAX_MEMORY_BYTES", 8 * 1024 * 1024),
            "verify": env_bool("S3_VERIFY_TLS", True),
            "client_config": BotoConfig(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 3, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
            ),
        },
    }
