from conftest import make_provenance

from analysis.data.load import SeriesStatus
from analysis.data.notices import data_as_of_markdown


def status(
    symbol,
    last_bar,
    *,
    source="Yahoo Finance via yfinance",
    stale=False,
    error=None,
    checked_at="2026-01-16T23:00:00+00:00",
):
    prov = make_provenance(symbol, last_bar, source=source, last_error=error, checked_at=checked_at)
    return SeriesStatus(symbol, prov, stale)


def test_fresh_data_gives_one_line_with_sources_in_order():
    text = data_as_of_markdown(
        [
            status("^RUT", "2026-01-16"),
            status("fred:DFEDTARU", "2026-01-16", source="FRED"),
            status("IWM", "2026-01-16", source="imported from IWM.csv; Yahoo Finance via yfinance"),
        ]
    )
    assert text == (
        "[**Data as of 2026-01-16**. Sources: Yahoo Finance via yfinance; FRED; "
        "imported from IWM.csv.]{.data-as-of}"
    )


def test_series_ending_earlier_are_named():
    text = data_as_of_markdown(
        [
            status("^RUT", "2026-01-16"),
            status("fred:DCOILWTICO", "2026-01-12", source="FRED"),
        ]
    )
    assert "**Data as of 2026-01-16** (except fred:DCOILWTICO to 2026-01-12)" in text


def test_series_ending_on_the_same_day_are_named_together_latest_first():
    text = data_as_of_markdown(
        [
            status("^RUT", "2026-02-23"),
            status("fred:DFEDTARU", "2026-06-05", source="FRED"),
            status("SPY", "2026-08-21"),
            status("IWM", "2026-02-23"),
            status("fred:DFEDTARL", "2026-06-05", source="FRED"),
        ]
    )
    assert text.startswith(
        "[**Data as of 2026-08-21** (except fred:DFEDTARU, fred:DFEDTARL to 2026-06-05; "
        "^RUT, IWM to 2026-02-23)."
    )


def test_imported_files_are_one_source():
    imported = [status(s, "2026-01-16", source=f"imported from {s}.csv") for s in ("A", "B")]
    text = data_as_of_markdown(
        [imported[0], status("fred:X", "2026-01-16", source="FRED"), imported[1], imported[0]]
    )
    assert "Sources: imported from A.csv, B.csv; FRED.]" in text


def test_stale_series_get_a_warning_with_their_reason():
    text = data_as_of_markdown(
        [
            status("^RUT", "2026-01-16"),
            status("IWM", "2026-01-15", stale=True, error="IWM: rate limited (HTTP 429)"),
        ]
    )
    assert "::: {.callout-warning}\n## Some data was not refreshed for this build" in text
    assert (
        "- IWM: last bar 2026-01-15; the last fetch failed (IWM: rate limited (HTTP 429))" in text
    )
    assert "(the oldest: 2026-01-15)" in text


def test_a_long_stale_list_folds_into_a_disclosure_and_says_how_many():
    statuses = [status(f"S{i}", f"2026-01-{10 + i:02d}", stale=True) for i in range(6)]
    text = data_as_of_markdown(statuses)
    # The warning and its sentence stay open; only the list folds, into a native
    # <details> a keyboard can open (never Quarto's collapsed callout).
    assert "::: {.callout-warning}\n## 6 series were not refreshed" in text
    assert "collapse" not in text
    folded = text[text.index("<details>") : text.index("</details>")]
    assert "<summary>The 6 series</summary>" in folded
    assert folded.count("\n- S") == 6 == text.count("\n- S")
    assert "not refreshed since 2026-01-16" in text


def test_imported_series_say_no_live_source_vouched_for_them():
    text = data_as_of_markdown([status("^RUT", "2026-01-16", stale=True, checked_at=None)])
    assert "- ^RUT: last bar 2026-01-16; imported from a file and not refreshed" in text


def test_no_series_no_notice():
    assert data_as_of_markdown([]) == ""
