"""POST/GET/DELETE /v1/files: streamed, size-limited, encrypted at rest, private to the owner."""
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.models import AuditEvent
from tests.factories import make_provider, make_user
from tests.tuning.factories import chat_dataset, make_job, upload, upload_file
from tuning import crypto
from tuning.models import DatasetFile


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "datasets"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.embedded
@pytest.mark.django_db
def test_a_valid_upload_is_processed_with_statistics_and_stored_encrypted(api, customer):
    client = api.as_user(customer)
    content = b"\xef\xbb\xbf" + chat_dataset(12).replace(b"\n", b"\r\n")
    response = upload(client, content, filename="../../etc/support.jsonl")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"].startswith("file-") and body["object"] == "file"
    assert body["status"] == "processed" and body["status_details"] is None
    assert body["purpose"] == "fine-tune" and body["bytes"] == len(content)
    assert body["filename"] == "support.jsonl"
    stats = body["validation"]["stats"]
    assert stats["examples"] == 12 and stats["tokens"]["total"] > 0 and body["validation"]["errors"] == []

    [blob] = stored_files()
    raw = blob.read_bytes()
    assert b"reset password" not in raw and raw.startswith(crypto.MAGIC)
    assert "support" not in blob.name  # the server chose the name

    got = client.get(f"/v1/files/{body['id']}/content")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == content
    assert AuditEvent.objects.filter(action="dataset.content_read", target_id=body["id"], actor=customer).count() == 1


@pytest.mark.embedded
@pytest.mark.django_db
def test_an_invalid_file_has_status_error_with_line_level_errors(api, customer):
    content = chat_dataset(11) + b'{"messages": [{"role": "bot", "content": "hi"}]}\n' + b"{oops\n"
    body = upload(api.as_user(customer), content).json()
    assert body["status"] == "error"
    assert "line 12" in body["status_details"]
    errors = body["validation"]["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [(12, "unrecognized_role"), (13, "invalid_json")]
    assert body["validation"]["error_count"] == 2


@pytest.mark.parametrize("size", [5_000, 300_000])
def test_a_too_large_upload_is_refused_while_streaming_and_nothing_is_kept(api, customer, settings, size):
    settings.TUNEMARKET_FILE_MAX_BYTES = 1_000
    response = upload(api.as_user(customer), b"x" * size)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large" and error["param"] == "file" and error["type"] == "invalid_request_error"
    assert not DatasetFile.objects.exists()
    assert stored_files() == []


def test_wrong_purpose_or_missing_file_is_a_400_and_stores_nothing(api, customer):
    client = api.as_user(customer)
    response = upload(client, chat_dataset(), purpose="assistants")
    assert response.status_code == 400 and response.json()["error"]["param"] == "purpose"
    response = client.post("/v1/files", {"purpose": "fine-tune"}, format="multipart")
    assert response.status_code == 400 and response.json()["error"]["param"] == "file"
    assert not DatasetFile.objects.exists() and stored_files() == []


def test_another_organisation_cannot_see_read_or_delete_a_file(api, customer):
    file = upload_file(customer, chat_dataset())
    other = api.as_user(make_user(role="customer"))
    for method, url in [("get", f"/v1/files/{file.public_id}"), ("get", f"/v1/files/{file.public_id}/content"),
                        ("delete", f"/v1/files/{file.public_id}")]:
        assert getattr(other, method)(url).status_code == 404
    assert other.get("/v1/files").json()["data"] == []
    assert not AuditEvent.objects.filter(action="dataset.content_read").exists()


def test_the_assigned_provider_sees_statistics_but_samples_only_when_granted(api, customer, listing):
    from accounts.models import Membership

    provider_user = Membership.objects.filter(organization=listing.provider).first().user
    provider = api.as_user(provider_user)
    job = make_job(customer=customer, listing=listing)
    file_id = job.training_file.public_id

    seen = provider.get(f"/v1/files/{file_id}")
    assert seen.status_code == 200 and seen.json()["validation"]["stats"]["examples"] == 12
    assert provider.get(f"/v1/files/{file_id}/content").status_code == 403
    denied = provider.get(f"/v1/files/{file_id}/samples")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "samples_not_granted"

    granted = make_job(customer=customer, listing=listing, grant_provider_samples=True)
    samples = provider.get(f"/v1/files/{granted.training_file.public_id}/samples?limit=2")
    assert samples.status_code == 200
    assert [s["messages"][0]["role"] for s in samples.json()["data"]] == ["user", "user"]
    assert AuditEvent.objects.filter(action="dataset.samples_read", actor=provider_user).count() == 1
    # A provider with no job on the file does not see it at all.
    stranger = api.as_user(make_provider(approved=True))
    assert stranger.get(f"/v1/files/{file_id}").status_code == 404


def test_a_file_in_use_cannot_be_deleted_until_its_job_ends(api, customer, listing, django_capture_on_commit_callbacks):
    client = api.as_user(customer)
    job = make_job(customer=customer, listing=listing)
    file_id = job.training_file.public_id
    refused = client.delete(f"/v1/files/{file_id}")
    assert refused.status_code == 409 and job.public_id in refused.json()["error"]["message"]
    assert client.post(f"/v1/fine_tuning/jobs/{job.public_id}/cancel").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.delete(f"/v1/files/{file_id}")
    assert done.status_code == 200 and done.json() == {"id": file_id, "object": "file", "deleted": True}
    assert client.get(f"/v1/files/{file_id}").status_code == 404
    assert stored_files() == []


def test_file_lists_are_paginated_newest_first(api, customer):
    client = api.as_user(customer)
    ids = [upload(client, chat_dataset(10, start=i * 100)).json()["id"] for i in range(3)]
    page = client.get("/v1/files?limit=2").json()
    assert [f["id"] for f in page["data"]] == ids[::-1][:2] and page["has_more"] is True
    rest = client.get(f"/v1/files?limit=2&after={page['data'][-1]['id']}").json()
    assert [f["id"] for f in rest["data"]] == ids[:1] and rest["has_more"] is False


# --- encryption at rest -------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 100])
def test_stream_encryption_round_trips_across_chunk_boundaries(size):
    import io

    key = crypto.new_file_key()
    enc = crypto.StreamEncryptor(key, chunk_size=16)
    data = bytes(range(256))[:size] * 1
    sealed = b"".join([enc.update(data[i:i + 7]) for i in range(0, len(data), 7)] + [enc.finalize()])
    assert b"".join(crypto.decrypt_stream(io.BytesIO(sealed), key)) == data


def test_tampering_truncation_and_a_wrong_master_key_are_detected():
    import io

    key = crypto.new_file_key()
    enc = crypto.StreamEncryptor(key, chunk_size=16)
    sealed = enc.update(b"a" * 40) + enc.finalize()
    flipped = bytearray(sealed)
    flipped[crypto.HEADER_LEN + 3] ^= 1
    for broken in (bytes(flipped), sealed[: crypto.HEADER_LEN + 32]):  # a bit flip; a whole chunk dropped
        with pytest.raises(crypto.DecryptionError):
            b"".join(crypto.decrypt_stream(io.BytesIO(broken), key))
    wrapped = crypto.wrap_key(key, master_key=b"k" * 32)
    assert crypto.unwrap_key(wrapped, master_key=b"k" * 32) == key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(wrapped, master_key=b"j" * 32)
