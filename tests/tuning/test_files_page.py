"""/files/: customers upload training data from the browser through the same service as POST /v1/files."""
import io
import re

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_provider
from tests.tuning.factories import chat_dataset, licensed_customer
from tests.tuning.test_files_api import stored_files
from tuning.models import DatasetFile


def web(user, **kwargs) -> Client:
    client = Client(**kwargs)
    assert client.login(email=user.email, password=PASSWORD)
    return client


def attach(content: bytes, name: str = "support.jsonl"):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.mark.embedded
@pytest.mark.django_db
def test_a_customer_uploads_a_valid_file_and_sees_it_processed():
    customer = licensed_customer()
    c = web(customer)
    assert 'enctype="multipart/form-data"' in c.get("/files/").content.decode()
    response = c.post("/files/", {"file": attach(chat_dataset(12))}, follow=True)
    html = response.content.decode()
    assert "Uploaded support.jsonl (processed, 12 examples)" in html
    dataset = DatasetFile.objects.get()
    assert (dataset.organization, dataset.status, dataset.purpose) == (customer.organization, "processed", "fine-tune")
    assert b"assistant" not in stored_files()[0].read_bytes()  # encrypted at rest
    assert f"<code class=\"muted\">{dataset.public_id}</code>" in html


@pytest.mark.django_db
def test_an_invalid_file_lists_its_line_errors_and_bad_requests_store_nothing(settings):
    customer = licensed_customer()
    c = web(customer)
    bad = chat_dataset(3) + b'{"messages": [{"role": "wizard", "content": "hi"}]}\nnot json\n'
    html = c.post("/files/", {"file": attach(bad, "bad.jsonl")}, follow=True).content.decode()
    assert "bad.jsonl was stored but is not usable" in html
    assert re.search(r"line 4: .*role", html) and "line 5:" in html
    assert DatasetFile.objects.get().status == "error"

    empty = c.post("/files/", {})
    assert empty.status_code == 400 and 'id="f-file-err"' in empty.content.decode()
    assert "Choose a JSONL file to upload." in empty.content.decode()

    settings.TUNEMARKET_FILE_MAX_BYTES = 1_000
    big = c.post("/files/", {"file": attach(b"x" * 5_000)})
    assert big.status_code == 413 and "larger than the" in big.content.decode()
    assert DatasetFile.objects.count() == 1 and len(stored_files()) == 1


@pytest.mark.django_db
def test_uploads_need_the_csrf_token_and_a_customer_account():
    customer = licensed_customer()
    strict = web(customer, enforce_csrf_checks=True)
    assert strict.post("/files/", {"file": attach(chat_dataset(2))}).status_code == 403
    assert not DatasetFile.objects.exists() and stored_files() == []

    assert web(make_provider()).get("/files/").status_code == 404
    assert Client().get("/files/").status_code == 302
