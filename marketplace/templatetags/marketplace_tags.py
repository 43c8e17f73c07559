"""Small display helpers for the marketplace pages."""
from django import template

register = template.Library()

# ISO 4217 currencies without minor units (amounts are already whole units).
ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp", "isk", "ugx", "xaf", "xof"}


@register.filter
def money(amount, currency="usd") -> str:
    """25000, "usd" → "250.00 USD" (amounts are integer minor units)."""
    if amount is None:
        return ""
    currency = (currency or "usd").lower()
    if currency in ZERO_DECIMAL:
        return f"{int(amount):,} {currency.upper()}"
    return f"{int(amount) / 100:,.2f} {currency.upper()}"


@register.filter
def rating_text(rating) -> str:
    """{"average": 4.5, "count": 2} → "4.5 / 5 (2 reviews)"; unrated → "No reviews yet"."""
    if not rating or not rating.get("count"):
        return "No reviews yet"
    n = rating["count"]
    return f"{rating['average']:.1f} / 5 ({n} review{'s' if n != 1 else ''})"


# Words an API value spells differently on a page: acronyms stay upper case, and user-facing text
# uses British spelling while the API keeps its stable values (`hr`, `localization`).
DISPLAY_WORDS = {
    "hr": "HR", "api": "API", "id": "ID", "lora": "LoRA", "dpo": "DPO", "sft": "SFT", "nll": "NLL",
    "localization": "localisation", "organization": "organisation", "organizations": "organisations",
    "license": "licence", "licenses": "licences",
}


@register.filter
def label(value) -> str:
    """An API value as a label: "customer_service" → "Customer service", "hr" → "HR",
    "localization" → "Localisation"."""
    words = [DISPLAY_WORDS.get(w.lower(), w.lower()) for w in str(value or "").replace("_", " ").split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]
