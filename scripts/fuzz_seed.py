"""Data for the API fuzzer (scripts/fuzz_api.sh), so its cases reach the code behind the ids and roles.

Run inside `manage.py shell` on the fuzzer's fresh database. Prints one JSON line: the customer's and the
provider's API keys and the ids the fuzzer puts into path parameters (schemathesis `[parameters]`).
"""
import json

from accounts import services as acc
from tests.factories import api_key_for, make_provider
from tests.tuning.factories import chat_dataset, licensed_customer, make_job, make_listing, upload_file

customer = licensed_customer()
provider = make_provider(approved=True)
listing = make_listing(provider=provider)
job = make_job(customer=customer, listing=listing)  # pending_provider: in the provider's inbox
spare_file = upload_file(customer, chat_dataset(6, start=100))
spare_key = acc.api_key_create(user=customer, name="fuzzer spare")  # the one /api_keys/{key_id}/revoke may revoke
print(json.dumps({
    "customer_key": api_key_for(customer),
    "provider_key": api_key_for(provider),
    "job_id": job.public_id,
    "file_id": spare_file.public_id,
    "listing_id": listing.public_id,
    "provider_id": provider.organization.public_id,
    "key_id": spare_key.api_key.public_id,
    "model_id": "SmolLM2-135M-Instruct",
}))
