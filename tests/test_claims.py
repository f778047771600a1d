import copy
import math

import numpy as np
import pytest
import yaml

from analysis import claims as c
from analysis.data.errors import MalformedDataError

FRONT_MATTER = """\
---
date: 2026-01-18
claims:
  - id: rut_return
    claim: Russell 2000 return, first three weeks of 2026
    published: 5.8
    unit: "%"
    tolerance: 0.1
    source: BurningTheta, 2026-01-18
  - id: iwm_first_above_250
    claim: IWM closed above $250 for the first time that week
    published: true
  - id: best_start_since
    claim: Strongest start since
    published: "2013"
  - id: oil
    claim: WTI crude in the mid-$70s
    published: [73, 77]
    unit: "$"
  - id: volume
    claim: IWM volume above its 20-day average
    published: 35
    kind: at_least
    unit: "%"
  - id: breadth
    claim: Russell 2000 members above their 200-day average
    published: 68
    unit: "%"
    tolerance: 2
---

Body text with a --- line.

---
"""


@pytest.fixture()
def post(tmp_path):
    path = tmp_path / "index.qmd"
    path.write_text(FRONT_MATTER, encoding="utf-8")
    return path


def test_load_claims_from_front_matter(post):
    claims = c.load_claims(post)
    assert [x.id for x in claims] == [
        "rut_return", "iwm_first_above_250", "best_start_since", "oil", "volume", "breadth",
    ]  # fmt: skip
    kinds = {x.id: x.kind for x in claims}
    assert kinds == {
        "rut_return": "equals",
        "iwm_first_above_250": "boolean",
        "best_start_since": "text",
        "oil": "between",
        "volume": "at_least",
        "breadth": "equals",
    }
    assert claims[0].tolerance == 0.1
    assert claims[0].source == "BurningTheta, 2026-01-18"


def test_check_claims_verdicts(post):
    claims = c.load_claims(post)
    computed = {
        "rut_return": 7.890,
        "iwm_first_above_250": False,
        "best_start_since": "2021",
        "oil": 59.40,
        "volume": -5.93,
        "breadth": None,
    }
    checked = c.check_claims(claims, computed, notes={"breadth": "breadth data not loaded"})
    assert checked["verdict"].to_dict() == {
        "rut_return": c.CONTRADICTED,
        "iwm_first_above_250": c.CONTRADICTED,
        "best_start_since": c.CONTRADICTED,
        "oil": c.CONTRADICTED,
        "volume": c.CONTRADICTED,
        "breadth": c.UNCHECKED,
    }
    row = checked.loc["rut_return"]
    assert (row["published_text"], row["from_data_text"]) == ("5.8%", "7.9%")
    assert row["note"] == "off by +2.1 pp (tolerance ±0.1 pp)"
    assert checked.loc["oil", "published_text"] == "$73–$77"
    assert checked.loc["oil", "note"] == "claim: $73–$77"
    assert checked.loc["volume", "note"] == "claim: at least 35%"
    assert checked.loc["iwm_first_above_250", "from_data_text"] == "no"
    assert checked.loc["breadth", "note"] == "no value from data; breadth data not loaded"
    assert checked.loc["breadth", "from_data_text"] == "—"


@pytest.mark.parametrize(
    ("item", "value", "verdict"),
    [
        ({"published": 5.8, "tolerance": 0.5}, 6.3, c.HOLDS),  # on the boundary
        ({"published": 5.8, "tolerance": 0.5}, 5.29, c.CONTRADICTED),
        ({"published": 35, "kind": "at_least"}, 35.0, c.HOLDS),
        ({"published": 35, "kind": "at_least", "tolerance": 5}, 30.5, c.HOLDS),
        ({"published": 35, "kind": "at_least"}, 34.9, c.CONTRADICTED),
        ({"published": 0, "kind": "at_most", "tolerance": 1}, 0.8, c.HOLDS),
        ({"published": 0, "kind": "at_most"}, 0.1, c.CONTRADICTED),
        ({"published": [73, 77]}, 77.0, c.HOLDS),
        ({"published": [73, 77], "tolerance": 1}, 72.5, c.HOLDS),
        ({"published": [73, 77], "tolerance": 1}, 72.0, c.HOLDS),  # low boundary
        ({"published": [73, 77], "tolerance": 1}, 71.9, c.CONTRADICTED),
        ({"published": [73, 77], "tolerance": 1}, 77.5, c.HOLDS),  # the high side's tolerance
        ({"published": [73, 77], "tolerance": 1}, 78.0, c.HOLDS),  # high boundary
        ({"published": [73, 77], "tolerance": 1}, 78.1, c.CONTRADICTED),
        ({"published": [73, 77]}, 77.1, c.CONTRADICTED),
        ({"published": [73, 77]}, 59.4, c.CONTRADICTED),
        ({"published": True}, np.bool_(True), c.HOLDS),
        ({"published": "Since  2013"}, "since 2013", c.HOLDS),
        ({"published": 5.8, "tolerance": 0.1}, float("nan"), c.UNCHECKED),
        ({"published": 5.8, "tolerance": 0.1}, np.float64(5.85), c.HOLDS),
    ],
)
def test_verdict_rules(item, value, verdict):
    claims = [{"id": "x", "claim": "a claim", **item}]
    assert c.check_claims(claims, {"x": value}).loc["x", "verdict"] == verdict


def test_missing_computed_value_cannot_be_checked():
    checked = c.check_claims([{"id": "a", "claim": "t", "published": 1, "tolerance": 0}], {})
    assert checked.loc["a", "verdict"] == c.UNCHECKED
    assert checked.loc["a", "note"] == "not computed by this post"


def test_computed_value_for_unknown_id_is_an_error():
    with pytest.raises(KeyError, match="rut_retrun"):
        c.check_claims(
            [{"id": "rut_return", "claim": "t", "published": 1, "tolerance": 0}],
            {"rut_retrun": 7.9},
        )


def test_wrong_computed_type_is_an_error():
    with pytest.raises(TypeError, match="expected true/false"):
        c.check_claims([{"id": "b", "claim": "t", "published": True}], {"b": 1})
    with pytest.raises(TypeError, match="expected a number"):
        c.check_claims([{"id": "n", "claim": "t", "published": 1, "tolerance": 0}], {"n": "7"})


def test_schema_errors_are_listed_together():
    items = [
        {"id": "ok", "claim": "fine", "published": 1.0, "tolerance": 0.1},
        {"id": "bad key", "claim": "x", "published": 1.0, "tolerance": 0.1, "tolerence": 2},
        {"claim": "no id", "published": 1.0},
        {"id": "ok", "claim": "dup", "published": True},
        {"id": "t", "claim": "x", "published": True, "tolerance": 1},
        {"id": "k", "claim": "x", "published": 1, "kind": "approx"},
        {"id": "r", "claim": "x", "published": [3, 1]},
        {"id": "e", "claim": "x", "published": 2.5},
    ]
    with pytest.raises(c.ClaimsSchemaError) as err:
        c.parse_claims(items)
    message = str(err.value)
    assert "claims[1] (id 'bad key'): unknown key(s) 'tolerence'" in message
    assert "'id' must be letters, digits" in message
    assert "claims[2]: missing required key(s) 'id'" in message
    assert "claims[3] (id 'ok'): duplicate id 'ok'" in message
    assert "'tolerance' applies only to numeric kinds, not 'boolean'" in message
    assert "'kind' must be one of equals, at_least" in message
    assert "[low, high] with low <= high" in message
    assert "claims[7] (id 'e'): 'tolerance' is required for kind 'equals'" in message


def test_schema_rejects_non_list():
    with pytest.raises(c.ClaimsSchemaError, match="must be a list"):
        c.parse_claims({"id": "a"})
    assert c.parse_claims(None) == []


def test_check_claims_does_not_mutate_inputs(post):
    raw = yaml.safe_load(FRONT_MATTER.split("---")[1])["claims"]
    raw_before = copy.deepcopy(raw)
    computed = {"rut_return": 7.89, "oil": 59.4}
    computed_before = dict(computed)
    c.check_claims(raw, computed)
    assert raw == raw_before
    assert computed == computed_before


def test_format_value():
    assert c.format_value(5.8, "%", 1) == "5.8%"
    assert c.format_value(-8.04, "%", 0) == "-8%"
    assert c.format_value(-0.04, "%", 1) == "0.0%"  # no "-0.0%"
    assert c.format_value(250, "$", 0) == "$250"
    assert c.format_value(-2.5, "$", 2) == "-$2.50"
    assert c.format_value(6.51, "pp", 1) == "6.5 pp"
    assert c.format_value(18, "x", 0) == "18x"
    assert c.format_value(1234567, "", 0) == "1,234,567"
    assert c.format_value(None) == "—"
    assert c.format_value(math.nan, "%") == "—"
    assert c.format_value(True) == "yes"
    assert c.format_value("2021") == "2021"


def test_decimals_follow_the_published_value():
    claims = [
        {"id": "a", "claim": "t", "published": 35, "unit": "%", "kind": "at_least"},
        {"id": "b", "claim": "t", "published": 3.75, "unit": "%", "tolerance": 0},
        {"id": "d", "claim": "t", "published": 2.1, "unit": "%", "tolerance": 0, "decimals": 2},
    ]
    checked = c.check_claims(claims, {"a": -5.93, "b": 3.75, "d": 1.381})
    assert checked["from_data_text"].tolist() == ["-6%", "3.75%", "1.38%"]
    assert checked.loc["b", "note"] == "matches"
    assert checked.loc["d", "note"] == "off by -0.72 pp (tolerance ±0.00 pp)"


def test_markdown_table_shows_symbol_and_word(post):
    checked = c.check_claims(
        c.load_claims(post),
        {"rut_return": 5.85, "iwm_first_above_250": False, "oil": 59.4},
    )
    table = c.to_claims_table_markdown(checked)
    lines = table.strip().splitlines()
    assert lines[0] == "| Claim | Published | From data | Verdict | Note |"
    assert len(lines) == 2 + len(checked)
    assert "[✓ holds]{.verdict-holds}" in lines[2]
    assert "[✗ contradicted]{.verdict-contradicted}" in lines[3]
    assert "[? cannot be checked]{.verdict-cannot-be-checked}" in lines[4]
    # '$' is escaped so Pandoc does not read TeX math; every row has 5 cells.
    assert "IWM closed above \\$250" in lines[3]
    assert "\\$73–\\$77" in lines[5]
    assert all(line.count(" | ") == 4 for line in lines[2:])
    shown = c.show_claims_table(checked, show_source=True)
    assert shown._repr_markdown_().splitlines()[0].endswith("| Source |")


def test_markdown_cells_escape_pipes():
    checked = c.check_claims([{"id": "p", "claim": "a | b", "published": True}], {"p": True})
    row = c.to_claims_table_markdown(checked).splitlines()[2]
    assert "a \\| b" in row


def test_verdict_counts(post):
    checked = c.check_claims(c.load_claims(post), {"rut_return": 5.85, "oil": 59.4})
    assert c.to_verdict_counts(checked).to_dict() == {
        c.HOLDS: 1,
        c.CONTRADICTED: 1,
        c.UNCHECKED: 4,
    }


def test_cited_inline_span():
    span = c.cited("$12 trillion", 'Article "X", 2026')
    assert span == (
        '[\\$12 trillion^†^]{.cited title="Cited from Article &quot;X&quot;, 2026; '
        'not verified by this site"}'
    )
    assert span._repr_markdown_() == str(span) == span.data


def test_cited_table_from_front_matter_items():
    items = [
        {"figure": "Russell 2000 forward P/E", "value": "18x", "source": "BurningTheta"},
        c.Cited("Goldman Sachs 2026 target", "+12%", "BurningTheta", note="a forecast"),
    ]
    table = c.to_cited_table_markdown(items)
    lines = table.strip().splitlines()
    assert lines[0] == "| Figure | As published | Source | Status |"
    assert lines[2] == (
        "| Russell 2000 forward P/E | 18x | BurningTheta | † cited, not verified by this site |"
    )
    assert lines[3].endswith("| † cited, not verified by this site; a forecast |")


def test_cited_schema_errors():
    with pytest.raises(c.ClaimsSchemaError, match=r"cited\[0\]: unknown key\(s\) 'valeu'"):
        c.parse_cited([{"figure": "a", "valeu": "1", "value": "1", "source": "s"}])
    with pytest.raises(c.ClaimsSchemaError, match="missing required key"):
        c.parse_cited([{"figure": "a"}])


def test_claims_from_yaml_files_and_posts_without_claims(tmp_path):
    meta = tmp_path / "_metadata.yml"
    meta.write_text("claims:\n  - {id: a, claim: t, published: true}\n", encoding="utf-8")
    assert [x.id for x in c.load_claims(meta)] == ["a"]
    post = tmp_path / "index.qmd"
    post.write_text("---\ntitle: x\n---\nbody\n", encoding="utf-8")
    assert c.load_claims(post) == []
    broken = tmp_path / "broken.qmd"
    broken.write_text("---\ntitle: x\n", encoding="utf-8")
    with pytest.raises(MalformedDataError, match=r"broken\.qmd"):
        c.load_claims(broken)
