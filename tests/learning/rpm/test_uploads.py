"""Uploads kept between preview and confirmation: bound to their uploader, tamper-evident, removed when stale."""

from __future__ import annotations

import os
import time

import pytest

from learning.rpm.fields import Kind
from learning.rpm.uploads import MAX_AGE, Upload, UploadGone, discard_upload, load_upload, store_upload, upload_dir


def upload(upload_id: str, user_id: int = 7) -> Upload:
    return Upload(upload_id, user_id, 1, Kind.DAILY, "daily.csv")


def test_a_stored_upload_comes_back_for_its_uploader_only(ctx):
    token = store_upload(b"programme\n1\n", upload("a" * 32))
    found, data = load_upload(token, 7)
    assert (found, data) == (upload("a" * 32), b"programme\n1\n")
    with pytest.raises(UploadGone):
        load_upload(token, 8)
    discard_upload(found)
    with pytest.raises(UploadGone):
        load_upload(token, 7)


def test_a_file_changed_on_disk_is_refused(ctx):
    token = store_upload(b"programme\n1\n", upload("b" * 32))
    (upload_dir() / f"{'b' * 32}.csv").write_bytes(b"programme\n2\n")
    with pytest.raises(UploadGone):
        load_upload(token, 7)


def test_uploads_nobody_confirmed_are_removed_after_a_day(ctx):
    token = store_upload(b"old\n", upload("c" * 32))
    stale = time.time() - MAX_AGE - 60
    os.utime(upload_dir() / f"{'c' * 32}.csv", (stale, stale))
    store_upload(b"new\n", upload("d" * 32))
    assert sorted(p.name for p in upload_dir().glob("*.csv")) == [f"{'d' * 32}.csv"]
    with pytest.raises(UploadGone):
        load_upload(token, 7)
