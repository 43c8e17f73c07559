"""Screenshots of the key pages of a running demo, for docs/screenshots/.

Run after `make demo` has finished its flow (the server still running, the demo data in place):
  .venv/bin/python demo/screenshots.py --base-url http://127.0.0.1:8000
Uses Playwright with Debian's chromium (/usr/bin/chromium, as the browser tests do); never downloads a browser.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "tunemarket-demo-2026"
CUSTOMER, PROVIDER, ADMIN = "support@koala-telco.test", "wattle@providers.test", "admin@tunemarket.test"
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:8000")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])

        def session():
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(120000)
            return page

        def shot(page, name: str) -> None:
            path = args.out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"wrote {path}")

        def login(page, email: str, admin: bool = False) -> None:
            page.goto(f"{base}/admin/login/" if admin else f"{base}/login/")
            page.fill("#id_username", email)
            page.fill("#id_password", PASSWORD)
            page.locator("form [type=submit]").first.click()
            page.wait_for_load_state()

        anon = session()
        anon.goto(f"{base}/")
        shot(anon, "browse")
        anon.goto(f"{base}/?domain=customer_service&search=Australian")
        shot(anon, "browse-filtered")

        customer = session()
        login(customer, CUSTOMER)
        customer.goto(f"{base}/dashboard/customer/")
        shot(customer, "customer-dashboard")
        job_href = customer.locator("a[href^='/jobs/ftjob-']").first.get_attribute("href")
        job_id = re.search(r"ftjob-[A-Za-z0-9]+", job_href).group(0)
        customer.goto(f"{base}/jobs/{job_id}/")
        shot(customer, "job")
        customer.goto(f"{base}/jobs/{job_id}/evaluation")
        shot(customer, "evaluation-report")
        model = customer.locator("code").filter(has_text="ft:").first.inner_text().strip()
        customer.goto(f"{base}/models/{model}/card")
        shot(customer, "model-card")
        customer.goto(f"{base}/models/{model}/chat")
        customer.get_by_label("Your message").fill("Hi, my NBN keeps dropping out every evening. What should I do?")
        customer.get_by_role("button", name="Send").click()
        customer.get_by_role("article", name="Tuned model").wait_for()
        shot(customer, "chat")
        customer.goto(f"{base}/licence/")
        shot(customer, "licence")
        customer.goto(f"{base}/files/")
        shot(customer, "training-data")

        provider = session()
        login(provider, PROVIDER)
        provider.goto(f"{base}/dashboard/provider/")
        shot(provider, "provider-dashboard")
        provider.locator("a[href^='/dashboard/provider/listings/lst']").first.click()
        provider.wait_for_load_state()
        shot(provider, "provider-listing-form")

        admin = session()
        login(admin, ADMIN, admin=True)
        admin.goto(f"{base}/admin/")
        shot(admin, "admin")
        admin.goto(f"{base}/admin/accounts/providerapplication/?status__exact=submitted")
        shot(admin, "admin-vetting-queue")
        admin.goto(f"{base}/admin/evaluation/requestreview/")
        shot(admin, "admin-request-reviews")
        browser.close()


if __name__ == "__main__":
    main()
