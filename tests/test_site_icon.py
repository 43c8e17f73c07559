"""/favicon.ico answers (browsers ask for it on every site), and pages name the same icon."""
import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db]


def test_favicon_is_served_as_an_svg_icon_and_cached():
    for url in ("/favicon.ico", "/favicon.svg"):
        r = Client().get(url)
        assert r.status_code == 200, url
        assert r["Content-Type"] == "image/svg+xml" and r.content.startswith(b"<svg ")
        assert "max-age=86400" in r["Cache-Control"]
    assert Client().post("/favicon.ico").status_code == 405


def test_pages_link_the_icon():
    html = Client().get("/").content.decode()
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in html
