"""The report's SVG charts say whose number each bar is, including bars of 0 %."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from evaluation import svg

NS = "{http://www.w3.org/2000/svg}"


def _texts(markup: str) -> list[str]:
    root = ET.fromstring(markup)
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_category_rows_label_the_base_and_the_tuned_bar_each_with_its_own_value():
    rows = [{"label": "cyber", "base": 0.25, "tuned": 0.5, "n": 8}, {"label": "weapons", "base": 0.0, "tuned": 0.0, "n": 4}]
    texts = _texts(svg.category_bars(rows, title="Refusals", value_label="Refusal rate"))
    assert "base 25%" in texts and "tuned 50%" in texts
    # The all-zero row is not an unlabelled gap: both bars say 0 %.
    assert "base 0%" in texts and "tuned 0%" in texts
    # No bare percentage beside a row without saying whose it is (the axis ticks are the only bare ones).
    bare = [t for t in texts if t.endswith("%") and not t.startswith(("base ", "tuned "))]
    assert sorted(bare) == sorted(["0%", "25%", "50%", "75%", "100%"])


def test_paired_bars_print_every_value_so_two_zero_bars_still_read():
    groups = [{"label": "Core accuracy", "base": 0.5, "tuned": 0.625},
              {"label": "Gen. refusal", "base": 0.0, "tuned": 0.0}]
    markup = svg.paired_bars(groups, title="Base vs tuned", y_label="Rate")
    root = ET.fromstring(markup)
    values = ["".join(t.itertext()) for t in root.iter(f"{NS}text") if t.get("font-size") == "10"]
    assert values == ["50.0%", "62.5%", "0.0%", "0.0%"]
    assert "Gen. refusal" in _texts(markup)
