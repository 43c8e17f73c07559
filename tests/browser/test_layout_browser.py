"""Layout in a real browser: a long model id stays inside its dashboard card."""
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# A fine-tuned model id (ft:<base>:<organisation slug>:<suffix>:<job id>, tuning.services.fine_tuned_model_id)
# has long stretches without a hyphen, where a browser would otherwise break the line.
LONG_ID = "ft:SmolLM2-135M-Instruct:harbour-clinical:discharge_summaries_for_the_cardiology_ward_v2:7Qm2xK9pLr4sVb8N"


def test_a_long_model_id_wraps_inside_its_card_on_the_customer_dashboard(page, shot):
    customer = make_user(role="customer")
    request = RequestFactory().get("/dashboard/customer/")
    request.user = customer
    model = SimpleNamespace(fine_tuned_model=LONG_ID, public_id="ftjob-7Qm2xK9pLr4sVb8N",
                            listing=SimpleNamespace(title="Discharge summaries"),
                            provider=SimpleNamespace(name="Harbour Clinical NLP"))
    html = render_to_string("marketplace/dashboard_customer.html", {
        "org": customer.memberships.first().organization, "jobs": [], "license": None, "models": [model],
        "files": [], "next_url": None,
    }, request=request)
    page.set_content(html)
    code = page.locator("code", has_text="ft:SmolLM2")
    card = page.locator("section.card", has=code)
    code_box, card_box = code.bounding_box(), card.bounding_box()
    shot(page, "dashboard-long-model-id")
    assert code_box["x"] + code_box["width"] <= card_box["x"] + card_box["width"]
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    # It wrapped rather than being clipped: the id takes more than one line.
    assert code.evaluate("el => el.getClientRects().length") > 1
