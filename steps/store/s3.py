"""``S3Store``: the study layout in an S3 bucket (AWS, MinIO, any S3 API).

One record is one object and one PUT, which S3 applies atomically. boto3 is
imported on first use, so steps that only touch a local folder never pay for it.
Credentials come only from the standard AWS chain (env, config files, instance
role) and never appear in this object's repr or in any error it raises.
"""

from __future__ import annotations

import mimetypes
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from steps.errors import NotFound, StoreError, TaskError
from steps.store.base import Store, check_key, check_prefix

ENDPOINT_ENV = ("AUTOTUNE_S3_ENDPOINT", "AWS_ENDPOINT_URL")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_MISSING = {"NoSuchKey", "NotFound", "404"}
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "403"}
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call accepts


class S3Store(Store):
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        *,
        max_attempts: int = 5,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> None:
        if not _BUCKET.match(bucket):
            raise TaskError(
                f"store: S3 bucket {bucket!r} is not a valid bucket name; use 3-63 "
                "lowercase letters, digits, '.' or '-'"
            )
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_key(self.prefix)
        self.region = region
        self.endpoint_url = _endpoint(endpoint_url)
        self._retry = {"max_attempts": max_attempts, "mode": "standard"}
        self._timeouts = (connect_timeout, read_timeout)
        self._s3: Any = None
        self._session: Any = None
        self._lock = threading.Lock()
        # The URI holds only what was passed in: an endpoint taken from the
        # environment stays environment-specific (in-cluster vs. laptop).
        query = {k: v for k, v in (("endpoint", endpoint_url), ("region", region)) if v}
        path = quote(self.prefix, safe="/:=+,")
        self.uri = f"s3://{bucket}/{path}" + (f"?{urlencode(query, safe=':/')}" if query else "")

    def __repr__(self) -> str:
        return f"S3Store({self.uri!r})"

    def __str__(self) -> str:
        return self.uri

    @property
    def where(self) -> str:
        """Bucket and endpoint, for messages: enough to find the data, never a secret."""
        return f"bucket {self.bucket!r} at {self.endpoint_url or 'the default AWS endpoint'}"

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _client(self) -> Any:
        with self._lock:
            if self._s3 is None:
                import boto3
                from botocore.config import Config

                # A session per store: boto3's default session is not thread-safe.
                session = boto3.session.Session()
                self._s3 = session.client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    region_name=self.region,
                    config=Config(
                        s3={"addressing_style": "path"},  # MinIO has no virtual-host buckets
                        retries=self._retry,
                        connect_timeout=self._timeouts[0],
                        read_timeout=self._timeouts[1],
                        user_agent_extra="inference-autotuner",
                    ),
                )
                self._session = session
            return self._s3

    @contextmanager
    def _calling(self, action: str, key: str) -> Iterator[None]:
        """Turn boto errors into NotFound / StoreError that name the key, bucket and endpoint."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        what = f"store {self.uri}: cannot {action} {key!r} in {self.where}"
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _MISSING:
                raise NotFound(
                    f"store {self.uri} has no {key!r}; run the step that writes it first, "
                    "or check the study name and the store URI"
                ) from None
            if code == "NoSuchBucket":
                fix = "create the bucket (aws s3 mb / mc mb) or fix the store URI"
            elif code in _DENIED:
                fix = "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
            else:
                fix = "retry, and check the S3 service's health if it persists"
            detail = f"{code} (HTTP {status}) {error.get('Message', '')}".strip()
            raise StoreError(self._redact(f"{what}: {detail}; {fix}")) from exc
        except NoCredentialsError as exc:
            raise StoreError(
                f"{what}: no S3 credentials found; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
            ) from exc
        except BotoCoreError as exc:
            raise StoreError(
                self._redact(f"{what}: {exc}; check that the endpoint is reachable")
            ) from exc

    def _redact(self, text: str) -> str:
        # A server may echo the access key id back; never let it reach a log.
        creds = self._session.get_credentials() if self._session is not None else None
        for secret in (creds.access_key, creds.secret_key, creds.token) if creds else ():
            if secret:
                text = text.replace(secret, "***")
        return text

    def read_bytes(self, key: str) -> bytes:
        with self._calling("read", key):
            reply = self._client().get_object(Bucket=self.bucket, Key=self._key(key))
            return bytes(reply["Body"].read())

    def write_bytes(self, key: str, data: bytes) -> None:
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        with self._calling("write", key):
            self._client().put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type
            )

    def exists(self, key: str) -> bool:
        try:
            with self._calling("check", key):
                self._client().head_object(Bucket=self.bucket, Key=self._key(key))
        except NotFound:
            return False
        return True

    def list(self, prefix: str) -> list[str]:
        check_prefix(prefix)
        root = f"{self.prefix}/" if self.prefix else ""
        keys = []
        with self._calling("list", prefix):
            pages = self._client().get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=root + prefix):
                for obj in page.get("Contents", []):
                    # Skip "folder" marker objects some S3 consoles create.
                    if not obj["Key"].endswith("/"):
                        keys.append(obj["Key"][len(root) :])
        return sorted(keys)

    def delete(self, key: str) -> None:
        # S3 answers 204 for a missing key, which is the idempotence the contract wants.
        with self._calling("delete", key):
            self._client().delete_object(Bucket=self.bucket, Key=self._key(key))

    def delete_prefix(self, prefix: str) -> None:
        # One request per 1000 keys rather than one per key: reports hold many files.
        keys = self.list(prefix)
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = [{"Key": self._key(k)} for k in keys[start : start + _DELETE_BATCH]]
            with self._calling("delete", prefix):
                reply = self._client().delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if reply.get("Errors"):
                first = reply["Errors"][0]
                raise StoreError(
                    self._redact(
                        f"store {self.uri}: cannot delete {len(reply['Errors'])} keys under "
                        f"{prefix!r} in {self.where}, e.g. {first.get('Key')!r}: "
                        f"{first.get('Code')} {first.get('Message', '')}; retry"
                    )
                )


def _endpoint(given: str | None) -> str | None:
    """The endpoint to use: the argument, else the first env var set, else AWS's default."""
    source, url = "endpoint", given
    for name in ENDPOINT_ENV:
        if url:
            break
        source, url = name, os.environ.get(name)
    if not url:
        return None
    # Any '@' counts, not just urlsplit's userinfo: a secret key holding '/' moves
    # the '@' into what urlsplit calls the path. Never echo such a URL.
    if "@" in url:
        raise TaskError(
            f"store: the S3 {source} carries credentials (user:password@); remove them and "
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead"
        )
    parts = urlsplit(url)
    try:
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise TaskError(
            f"store: S3 {source} {url!r} is not an http(s) URL; use e.g. http://minio:9000"
        )
    return url.rstrip("/")
