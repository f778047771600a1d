"""The claims and cited-figures schema, the check's table and its rendering, to the letter.

Every refusal is the exact line an author reads; every table is the exact text a page shows.
"""

import math

import pandas as pd
import pytest
import yaml

from analysis import claims as c

BETWEEN = "claims[0] (id 'a'): 'published' must be [low, high] with low <= high for kind 'between'"
ALLOWED = "id, claim, published, kind, unit, tolerance, decimals, source, note"


def problems(items):
    with pytest.raises(c.ClaimsSchemaError) as caught:
        c.parse_claims(items)
    head, *lines = str(caught.value).split("\n")
    assert head == "invalid claims:"
    assert all(line.startswith("  ") for line in lines)
    return [line[2:] for line in lines]


def item(**fields):
    return {"id": "a", "claim": "a claim", **fields}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["x"], ["claims[0]: expected a mapping with keys id, claim, published"]),
        (
            [item(published=True, tolerence=1, zz=2)],
            [f"claims[0] (id 'a'): unknown key(s) 'tolerence', 'zz'; allowed: {ALLOWED}"],
        ),
        ([{"claim": "c"}], ["claims[0]: missing required key(s) 'id', 'published'"]),
        (
            [{"id": "a b", "claim": "c", "published": True}],
            ["claims[0] (id 'a b'): 'id' must be letters, digits, '_' or '-' (got 'a b')"],
        ),
        (
            [item(claim="  ", published=True)],
            ["claims[0] (id 'a'): 'claim' must be a non-empty text"],
        ),
        ([item(claim=5, published=True)], ["claims[0] (id 'a'): 'claim' must be a non-empty text"]),
        (
            [item(published=1, kind="approx", tolerance=1)],
            [
                "claims[0] (id 'a'): 'kind' must be one of "
                "equals, at_least, at_most, between, boolean, text (got 'approx')"
            ],
        ),
        (
            [item(published={"x": 1})],
            ["claims[0] (id 'a'): cannot tell the kind of 'published' {'x': 1}"],
        ),
        (
            [{"id": "a", "claim": "c", "kind": "equals", "tolerance": 1}],
            ["claims[0] (id 'a'): missing required key(s) 'published'"],
        ),
        (
            [item(published="x", kind="equals", tolerance=1)],
            ["claims[0] (id 'a'): 'published' must be a number for kind 'equals'"],
        ),
        (
            [item(published="x", kind="at_least")],
            ["claims[0] (id 'a'): 'published' must be a number for kind 'at_least'"],
        ),
        (
            [item(published=True, kind="at_most")],
            ["claims[0] (id 'a'): 'published' must be a number for kind 'at_most'"],
        ),
        (
            [item(published=[3, 1])],
            [BETWEEN],
        ),
        (
            [item(published=[1, "2"])],
            [BETWEEN],
        ),
        (
            [item(published=[1])],
            [BETWEEN],
        ),
        (
            [item(published="yes", kind="boolean")],
            ["claims[0] (id 'a'): 'published' must be true or false for kind 'boolean'"],
        ),
        (
            [item(published=5, kind="text")],
            ["claims[0] (id 'a'): 'published' must be a text for kind 'text'"],
        ),
        (
            [item(published="x", tolerance=1)],
            ["claims[0] (id 'a'): 'tolerance' applies only to numeric kinds, not 'text'"],
        ),
        (
            [item(published=True, tolerance=1)],
            ["claims[0] (id 'a'): 'tolerance' applies only to numeric kinds, not 'boolean'"],
        ),
        (
            [item(published=1, tolerance=-1)],
            ["claims[0] (id 'a'): 'tolerance' must be a number >= 0 (got -1)"],
        ),
        (
            [item(published=1, tolerance="a")],
            ["claims[0] (id 'a'): 'tolerance' must be a number >= 0 (got 'a')"],
        ),
        ([item(published=1)], ["claims[0] (id 'a'): 'tolerance' is required for kind 'equals'"]),
        (
            [item(published=True, unit=5)],
            ["claims[0] (id 'a'): 'unit' must be a text such as '%', 'pp', '$' (got 5)"],
        ),
        *(
            (
                [item(published=True, decimals=bad)],
                ["claims[0] (id 'a'): 'decimals' must be a whole number from 0 to 6"],
            )
            for bad in (7, -1, True, 2.5)
        ),
        ([item(published=True, source=5)], ["claims[0] (id 'a'): 'source' must be a text"]),
        ([item(published=True, note=5)], ["claims[0] (id 'a'): 'note' must be a text"]),
        (
            [item(published=True), item(published=False), {"id": "b", "claim": 1, "published": 1}],
            [
                "claims[1] (id 'a'): duplicate id 'a'",
                "claims[2] (id 'b'): 'claim' must be a non-empty text",
                "claims[2] (id 'b'): 'tolerance' is required for kind 'equals'",
            ],
        ),
    ],
)
def test_each_problem_is_one_exact_line(items, expected):
    assert problems(items) == expected


@pytest.mark.parametrize("items", ["a text", {"id": "a"}, 5])
def test_claims_must_be_a_list(items):
    with pytest.raises(c.ClaimsSchemaError, match=r"^'claims' must be a list of mappings$"):
        c.parse_claims(items)


def test_claim_objects_are_kept_and_their_ids_must_differ():
    first = c.Claim(id="a", claim="x", published=True, kind="boolean")
    assert c.parse_claims([first]) == [first]
    assert problems([first, first]) == ["claims[1] (id 'a'): duplicate id 'a'"]


@pytest.mark.parametrize("decimals", [0, 6])
def test_a_valid_claim_keeps_every_field(decimals):
    parsed = c.parse_claims(
        [
            item(
                claim="  a claim ",
                published=[1, 2],
                tolerance=0,
                unit="%",
                decimals=decimals,
                source="s",
                note="n",
            ),
            {"id": "b", "claim": "b", "published": 2.5, "tolerance": 1},
        ]
    )
    assert parsed == [
        c.Claim("a", "a claim", [1, 2], "between", "%", 0.0, decimals, "s", "n"),
        c.Claim("b", "b", 2.5, "equals", "", 1.0, None, None, None),
    ]
    assert isinstance(parsed[1].tolerance, float)


def test_claims_from_a_yaml_file(tmp_path):
    for suffix in (".yml", ".yaml"):
        path = tmp_path / f"_metadata{suffix}"
        path.write_text(yaml.safe_dump({"claims": [item(published=True)]}), encoding="utf-8")
        assert [x.id for x in c.load_claims(path)] == ["a"]


# -- the check ---------------------------------------------------------------------------


def check(value, **fields):
    return c.check_claims([item(**fields)], {"a": value}).loc["a"]


@pytest.mark.parametrize(
    ("fields", "value", "verdict", "note"),
    [
        (
            {"published": 5.8, "tolerance": 0.1, "unit": "%"},
            5.84,
            c.HOLDS,
            "matches (tolerance ±0.1 pp)",
        ),
        ({"published": 5.8, "tolerance": 0.0, "unit": "%"}, 5.8, c.HOLDS, "matches"),
        (
            {"published": 5.8, "tolerance": 0.5, "unit": "%"},
            6.1,
            c.HOLDS,
            "off by +0.3 pp (tolerance ±0.5 pp)",
        ),
        (
            {"published": 5.8, "tolerance": 0.5, "unit": "%"},
            5.1,
            c.CONTRADICTED,
            "off by -0.7 pp (tolerance ±0.5 pp)",
        ),
        (
            {"published": 35, "kind": "at_least", "tolerance": 5, "unit": "%"},
            30,
            c.HOLDS,
            "claim: at least 35% (tolerance ±5.0 pp)",
        ),
        ({"published": 35, "kind": "at_least", "unit": "%"}, 35, c.HOLDS, "claim: at least 35%"),
        ({"published": 0, "kind": "at_most"}, 0.0, c.HOLDS, "claim: at most 0"),
        (
            {"published": 0, "kind": "at_most", "tolerance": 1, "unit": "$"},
            1.0,
            c.HOLDS,
            "claim: at most $0 (tolerance ±$1.0)",
        ),
        (
            {"published": [73, 77], "tolerance": 1, "unit": "$"},
            78,
            c.HOLDS,
            "claim: $73–$77 (tolerance ±$1.0)",
        ),
        ({"published": True}, True, c.HOLDS, ""),
        ({"published": True}, False, c.CONTRADICTED, ""),
        ({"published": "since 2013"}, "Since 2013", c.HOLDS, ""),
        ({"published": "since 2013"}, "since 2012", c.CONTRADICTED, ""),
    ],
)
def test_verdicts_and_their_notes(fields, value, verdict, note):
    row = check(value, **fields)
    assert (row["verdict"], row["note"]) == (verdict, note)


def test_the_checked_table_has_every_column_in_order():
    checked = c.check_claims(
        [item(published=[73, 77], unit="$", source="the article", note="WTI", tolerance=0.5)],
        {"a": 74.25},
        notes={"a": "spot price"},
    )
    assert checked.index.name == "id"
    assert checked.reset_index().to_dict("records") == [
        {
            "id": "a",
            "claim": "a claim",
            "published": [73, 77],
            "from_data": 74.25,
            "unit": "$",
            "kind": "between",
            "tolerance": 0.5,
            "verdict": c.HOLDS,
            "note": "claim: $73–$77 (tolerance ±$0.5); WTI; spot price",
            "source": "the article",
            "published_text": "$73–$77",
            "from_data_text": "$74",
        }
    ]


def test_values_for_unknown_ids_are_all_named():
    with pytest.raises(KeyError, match=r"computed values for unknown claim id\(s\): b, c'$"):
        c.check_claims([item(published=True)], {"c": 1, "b": 2, "a": True})


def test_verdict_counts_name_all_three_verdicts():
    checked = c.check_claims([item(published=True)], {"a": True})
    counts = c.to_verdict_counts(checked)
    pd.testing.assert_series_equal(
        counts,
        pd.Series({c.HOLDS: 1, c.CONTRADICTED: 0, c.UNCHECKED: 0}, name="claims"),
    )


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (5.83, None, None, "5.8"),  # defaults: no unit, one decimal
        (-1234.5, "", 1, "-1,234.5"),
        (-0.04, "%", 1, "0.0%"),  # rounds to zero: no minus sign
        (-0.06, "%", 1, "-0.1%"),
        (0, "", 0, "0"),
        (18, "x", 0, "18x"),
        (6.5, "pp", 1, "6.5 pp"),
        (-250, "$", 0, "-$250"),
        (None, "", 1, "—"),
        (float("nan"), "", 1, "—"),
        (True, "", 1, "yes"),
        ("2013", "", 1, "2013"),
        ([73, 77], "$", 0, "$73–$77"),
    ],
)
def test_format_value(value, unit, decimals, text):
    args = [a for a in (unit, decimals) if a is not None]
    assert c.format_value(value, *args) == text


@pytest.mark.parametrize(
    ("published", "shown"),
    [
        (5.8, "5.8"),
        (250, "250"),
        (0.1234567, "0.123457"),  # at most six decimals
        (0.12345678, "0.123457"),
        (1.5e-07, "0.00"),  # written with an exponent: two decimals
        (1e-07, "0.00"),
    ],
)
def test_published_numbers_keep_the_decimals_they_were_written_with(published, shown):
    assert check(published, published=published, tolerance=0)["published_text"] == shown


# -- rendering ---------------------------------------------------------------------------


def test_claims_table_markdown_to_the_letter():
    checked = c.check_claims(
        [
            item(published=5.8, tolerance=0.1, unit="%", source="A | B"),
            {"id": "b", "claim": "costs $5 \\ share", "published": True},
            {"id": "n", "claim": "not computed", "published": 1, "tolerance": 0},
        ],
        {"a": 7.9, "b": True},
    )
    assert c.to_claims_table_markdown(checked) == (
        "| Claim | Published | From data | Verdict | Note |\n"
        "|:---|---:|---:|:---|:---|\n"
        "| a claim | 5.8% | 7.9% | [✗ contradicted]{.verdict-contradicted} "
        "| off by +2.1 pp (tolerance ±0.1 pp) |\n"
        "| costs \\$5 \\\\ share | yes | yes | [✓ holds]{.verdict-holds} |  |\n"
        "| not computed | 1 | — | [? cannot be checked]{.verdict-cannot-be-checked} "
        "| not computed by this post |\n"
    )
    with_source = c.to_claims_table_markdown(checked, show_source=True).splitlines()
    assert with_source[:2] == [
        "| Claim | Published | From data | Verdict | Note | Source |",
        "|:---|---:|---:|:---|:---|:---|",
    ]
    assert with_source[2].endswith("| A \\| B |")
    assert with_source[3].endswith("|  |")  # no source: an empty cell, not "None"


def test_cited_figures_schema_and_table():
    assert c.parse_cited(None) == []
    with pytest.raises(c.ClaimsSchemaError) as caught:
        c.parse_cited(
            [
                "x",
                {"figure": "f", "value": "v", "source": "s", "url": "u", "a": 1},
                {"figure": "f"},
                5,
            ]
        )
    assert str(caught.value).split("\n") == [
        "invalid cited figures:",
        "  cited[0]: expected a mapping with keys figure, value, source",
        "  cited[1]: unknown key(s) 'a', 'url'; allowed: figure, value, source, note",
        "  cited[2]: missing required key(s) 'value', 'source'",
        "  cited[3]: expected a mapping with keys figure, value, source",
    ]
    kept = c.Cited("P/E", "18x", "a broker")
    parsed = c.parse_cited([kept, {"figure": "f", "value": 5, "source": "s", "note": "n"}])
    assert parsed == [kept, c.Cited("f", "5", "s", "n")]
    assert c.to_cited_table_markdown(parsed) == (
        "| Figure | As published | Source | Status |\n"
        "|:---|---:|:---|:---|\n"
        "| P/E | 18x | a broker | † cited, not verified by this site |\n"
        "| f | 5 | s | † cited, not verified by this site; n |\n"
    )


def test_nan_and_none_cells_are_empty():
    frame = pd.DataFrame(
        [
            {
                "claim": "x",
                "published_text": "1",
                "from_data_text": "—",
                "verdict": c.UNCHECKED,
                "note": math.nan,
                "source": None,
            }
        ]
    )
    line = c.to_claims_table_markdown(frame, show_source=True).splitlines()[2]
    assert line == "| x | 1 | — | [? cannot be checked]{.verdict-cannot-be-checked} |  |  |"


def test_a_range_may_be_a_single_value_and_keeps_its_decimals():
    (claim,) = c.parse_claims([item(published=[2, 2])])
    assert claim.kind == "between"
    row = check(73.5, published=[73.5, 77], unit="$")
    assert row["published_text"] == "$73.5–$77.0"


@pytest.mark.parametrize(
    ("fields", "value"),
    [
        ({"published": 0, "tolerance": 0}, 1e-12),
        ({"published": 0, "kind": "at_least"}, -1e-12),
        ({"published": 0, "kind": "at_most"}, 1e-12),
        ({"published": [0, 1]}, -1e-12),
        ({"published": [0, 1]}, 1 + 1e-12),
    ],
)
def test_a_rounding_difference_of_1e_12_still_holds(fields, value):
    assert check(value, **fields)["verdict"] == c.HOLDS


def test_no_claims_give_an_empty_table_with_every_column():
    checked = c.check_claims([], {})
    assert checked.empty and checked.index.name == "id"
    assert checked.columns.tolist() == [
        "claim", "published", "from_data", "unit", "kind", "tolerance", "verdict",
        "note", "source", "published_text", "from_data_text",
    ]  # fmt: skip


def test_the_displayed_table_can_show_sources():
    checked = c.check_claims([item(published=True, source="the article")], {"a": True})
    shown = str(c.show_claims_table(checked, show_source=True))
    assert shown.splitlines()[0].endswith("| Source |")
    assert shown.splitlines()[2].endswith("| the article |")
    assert str(c.show_claims_table(checked)) == c.to_claims_table_markdown(checked)  # no source
