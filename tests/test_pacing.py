"""The pacer: even spacing, Retry-After honoured, the rate cut on 429 and raised again, bounded
concurrency; and the fake's rate-limit mode it is measured against. All on simulated time."""

import itertools
from datetime import date

import pandas as pd
import pytest

from analysis.data.clock import SimulatedClock
from analysis.data.errors import BudgetExhaustedError, SourceBlockedError
from analysis.fetch.sources.pacing import (
    Pacer,
    PacingPolicy,
    paced,
    pacer_for,
    recovered_ceiling,
    reset_pacers,
)
from analysis.fetch.sources.yahoo import fetch_yahoo
from analysis.testing.fake_yahoo import FakeYahooSession, RateLimit, make_ohlcv

CHART = "https://query2.finance.yahoo.com/v8/finance/chart/IWM?range=1d&interval=1d"


def sent_at(pacer, clock, n):
    times = []
    for _ in range(n):
        with pacer.turn():
            times.append(clock.now())
    return times


def test_requests_leave_evenly_spaced_at_the_rate():
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=30), clock)
    times = sent_at(pacer, clock, 5)
    assert times == pytest.approx([0.0, 2.0, 4.0, 6.0, 8.0], abs=0.01)
    assert pacer.stats().requests == 5
    assert pacer.stats().waited_seconds == pytest.approx(8.0, abs=0.01)


def test_retry_after_is_honoured():
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=600), clock)
    sent_at(pacer, clock, 1)
    pacer.observe(429, {"Retry-After": "120"})
    (then,) = sent_at(pacer, clock, 1)
    assert then == pytest.approx(120.0, abs=0.2)
    assert pacer.stats().rate_limited == 1


def test_without_retry_after_the_pause_doubles_while_429s_continue():
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=600, cooldown=60, max_cooldown=600, jitter=0), clock)
    starts = []
    for _ in range(3):
        (t,) = sent_at(pacer, clock, 1)
        starts.append(t)
        pacer.observe(429)
    (after,) = sent_at(pacer, clock, 1)
    gaps = [b - a for a, b in zip([*starts, after], [*starts, after][1:], strict=False)]
    assert gaps == pytest.approx([60, 120, 240], abs=0.5)


def test_without_retry_after_it_probes_short_then_exponential_with_jitter_then_gives_up():
    """Yahoo sends no Retry-After: 5 s, then doubling (each shortened by up to a quarter at
    random) up to 2 minutes; after 15 minutes of nothing but 429s it gives up for the build."""
    clock = SimulatedClock()
    pacer = Pacer("yahoo", PacingPolicy(rate=600), clock)
    starts = []
    with pytest.raises(SourceBlockedError, match=r"nothing but throttling .* for 1[5-9] minutes"):
        while True:
            (t,) = sent_at(pacer, clock, 1)
            starts.append(t)
            pacer.observe(429)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    nominal = [5, 10, 20, 40, 80, 120, 120, 120, 120]
    assert len(gaps) >= 7
    for gap, full in zip(gaps, nominal, strict=False):
        assert 0.75 * full - 0.2 <= gap <= full + 0.2
    assert len({round(g / f, 3) for g, f in zip(gaps, nominal, strict=False)}) > 1  # jittered
    assert starts[-1] <= 900 + 120
    assert "given up until the next build" in pacer.stats().gave_up
    assert pacer.stats().why == pacer.stats().gave_up


def test_no_request_leaves_after_the_deadline_even_with_a_free_token():
    """The old bug: the deadline was checked only when the pacer had to wait."""
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=60), clock)
    pacer.deadline = 100.0
    sent_at(pacer, clock, 1)
    clock.sleep(120)  # a token is free again, but the deadline has passed
    with pytest.raises(BudgetExhaustedError):
        sent_at(pacer, clock, 1)
    assert pacer.stats().requests == 1


def test_a_crumb_reading_too_many_requests_counts_as_throttling(simulated_time):
    session = FakeYahooSession({}, crumb_throttled=(0, 60))
    pacer = Pacer("yahoo", PacingPolicy(rate=600), simulated_time)
    with paced(session, pacer, attempts=2):
        response = session.request("GET", "https://query1.finance.yahoo.com/v1/test/getcrumb")
    assert response.text == "Too Many Requests"
    assert pacer.stats().rate_limited == 2
    assert pacer.rate == 300


def test_the_ceiling_recovers_over_clean_builds():
    ceiling = 3.0
    for _ in range(3):
        ceiling = recovered_ceiling(ceiling, 60.0)
    assert ceiling == pytest.approx(60 - 57 * 0.4**3)  # 56.35: within 10% of 60
    assert recovered_ceiling(60.0, 60.0) == 60.0


def test_rate_is_cut_on_429_and_raised_again_after_successes():
    clock = SimulatedClock()
    policy = PacingPolicy(rate=100, decrease=0.5, recover_after=10, increase=0.1, cooldown=1)
    pacer = Pacer("x", policy, clock)
    for _ in range(30):
        pacer.observe(200)
    assert pacer.rate == 100  # never above the configured rate
    pacer.observe(429)
    assert pacer.rate == 50
    clock.sleep(600)
    pacer.observe(429)  # 429s with no success between are one episode: cut once, not twice
    assert pacer.rate == 50
    for _ in range(9):
        pacer.observe(200)
    assert pacer.rate == 50
    pacer.observe(200)
    assert pacer.rate == 60
    for _ in range(100):
        pacer.observe(200)
    # Back up, but only to 90% of the rate the 429 came at: not into the same limit again.
    assert pacer.rate == 90
    assert pacer.stats().ceiling == 90
    pacer.observe(429)  # a new episode, at 90
    assert pacer.rate == 45
    for _ in range(200):
        pacer.observe(200)
    assert pacer.rate == pytest.approx(81)


def test_a_new_pacer_resumes_from_what_the_last_learned():
    pacer = Pacer("x", PacingPolicy(rate=60), SimulatedClock())
    pacer.resume(30, ceiling=45)
    assert (pacer.rate, pacer.stats().ceiling) == (30, 45)
    pacer.resume(500, ceiling=900)  # never above the configured rate
    assert (pacer.rate, pacer.stats().ceiling) == (60, 60)


def test_rate_never_falls_below_its_floor():
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=8, min_rate=3, cooldown=1), clock)
    for _ in range(5):
        pacer.observe(429)
        pacer.observe(200)  # each 429 a new episode
    assert pacer.rate == 3


def test_the_cut_rate_spaces_requests_further_apart():
    clock = SimulatedClock()
    pacer = Pacer("x", PacingPolicy(rate=60, cooldown=5), clock)
    sent_at(pacer, clock, 2)
    pacer.observe(429, {"Retry-After": "5"})
    times = sent_at(pacer, clock, 3)
    assert times[2] - times[1] == pytest.approx(2.0, abs=0.01)  # 30 a minute now


def test_concurrency_is_bounded():
    pacer = Pacer("x", PacingPolicy(rate=60_000, max_concurrency=2), SimulatedClock())
    with pacer.turn(), pacer.turn():
        # A third request would have to wait for one of the two in flight.
        assert not pacer._slots.acquire(blocking=False)
    with pacer.turn():
        assert pacer._slots.acquire(blocking=False)
        pacer._slots.release()


def test_paced_session_retries_a_429_in_place_after_retry_after(simulated_time):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)}, faults={"IWM": "flaky:1"})
    pacer = Pacer("yahoo", PacingPolicy(rate=600), simulated_time)
    with paced(session, pacer):
        response = session.request("GET", CHART)
    assert response.status_code == 200
    assert pacer.stats().requests == 2 and pacer.stats().rate_limited == 1
    assert "request" not in vars(session)  # the shadow is gone afterwards


def test_paced_session_gives_up_after_its_attempts(simulated_time):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)}, faults={"IWM": "429"})
    pacer = Pacer("yahoo", PacingPolicy(rate=600), simulated_time)
    with paced(session, pacer, attempts=3):
        response = session.request("GET", CHART)
    assert response.status_code == 429
    assert session.chart_hits("IWM") == 3


# -- the fake's rate-limit mode ---------------------------------------------------------------


def answers(session, clock, times):
    codes = []
    for t in times:
        clock.advance(t - clock.now())
        codes.append(session.request("GET", CHART).status_code)
    return codes


def test_fake_token_bucket_answers_429_above_its_rate():
    clock = SimulatedClock()
    session = FakeYahooSession(
        {"IWM": make_ohlcv("2025-01-02", 3)}, rate_limit=RateLimit(60, burst=2), clock=clock
    )
    # two tokens at rest, then one a second
    assert answers(session, clock, [0, 0, 0, 0.5, 1.0, 1.0]) == [200, 200, 429, 429, 200, 429]
    assert session.rate_limited == 3


def test_fake_sends_retry_after_or_not():
    for flag, expected in ((True, "1"), (False, None)):
        clock = SimulatedClock()
        session = FakeYahooSession(
            {}, rate_limit=RateLimit(60, burst=1, retry_after=flag), clock=clock
        )
        session.request("GET", CHART)
        response = session.request("GET", CHART)
        assert response.status_code == 429
        assert response.headers.get("Retry-After") == expected


def test_fake_penalty_box_blocks_everything_for_its_minutes():
    clock = SimulatedClock()
    limit = RateLimit(60, burst=1, retry_after=True, penalty_minutes=5)
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)}, rate_limit=limit, clock=clock)
    assert answers(session, clock, [0, 0]) == [200, 429]
    assert session.request("GET", "https://fc.yahoo.com").status_code == 429  # cookie too
    assert answers(session, clock, [299.0]) == [429]
    assert session.request("GET", CHART).headers["Retry-After"] == "1"
    assert answers(session, clock, [300.5]) == [200]


def test_a_fetch_through_a_rate_limited_fake_completes_and_is_paced(simulated_time):
    reset_pacers(simulated_time, yahoo=PacingPolicy(rate=120, max_concurrency=1, cooldown=30))
    symbols = [f"S{i:02d}" for i in range(30)]
    data = make_ohlcv("2025-01-02", 5)
    session = FakeYahooSession(
        dict.fromkeys(symbols, data),
        rate_limit=RateLimit(60, burst=5, penalty_minutes=2),
        latency=0.1,
    )
    results = fetch_yahoo(symbols, date(2025, 1, 2), session=session)
    assert all(len(results[s]) == 5 for s in symbols)
    pacer = pacer_for("yahoo")
    stats = pacer.stats()
    assert stats.rate_limited == session.rate_limited >= 1
    assert pacer.rate < 120  # it learned the limit was lower


def test_the_next_build_starts_from_the_pace_the_last_one_learned(tmp_path, simulated_time):
    from analysis.fetch.status import resume_pacers, write_fetch_status

    record = {
        "finished_at": "2026-01-16T23:05:00+00:00",
        "sources": {
            "yahoo": {"rate": 30.0, "ceiling": 45.0, "rate_limited": 3},
            "nowhere": {"rate": 5.0},
        },
    }
    write_fetch_status(tmp_path, record)
    # It starts at the ceiling it learned, not at the rate the 429s had cut it to.
    assert resume_pacers(tmp_path, now="2026-01-17T23:00:00+00:00") == {"yahoo": 45.0}
    assert pacer_for("yahoo").stats().ceiling == 45.0
    reset_pacers(simulated_time)
    # A week later the limit it found is no longer trusted.
    assert resume_pacers(tmp_path, now="2026-01-24T23:06:00+00:00") == {}
    assert pacer_for("yahoo").rate == 60.0


def test_after_a_build_without_429s_the_pace_climbs_back(tmp_path, simulated_time):
    """No one-way ratchet: three clean builds bring 3 a minute back within 10% of 60."""
    from analysis.fetch.status import resume_pacers, write_fetch_status

    rate, ceiling, day = 3.0, 3.0, pd.Timestamp("2026-01-16T23:05:00+00:00")
    for expected in (37.2, 50.88, 56.352):
        write_fetch_status(
            tmp_path,
            {
                "finished_at": day.isoformat(),
                "sources": {"yahoo": {"rate": rate, "ceiling": ceiling, "rate_limited": 0}},
            },
        )
        reset_pacers(simulated_time)
        day += pd.Timedelta(days=1)
        resume_pacers(tmp_path, now=day)
        stats = pacer_for("yahoo").stats()
        assert stats.rate == stats.ceiling == pytest.approx(expected)
        assert "the last build was not throttled" in stats.why
        rate, ceiling = stats.rate, stats.ceiling
    assert rate >= 0.9 * 60


def test_fake_quotas_count_per_clock_hour_and_day():
    clock = SimulatedClock()
    limit = RateLimit(6000, per_hour=3, per_day=5)
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)}, rate_limit=limit, clock=clock)
    assert answers(session, clock, [0, 1, 2, 3]) == [200, 200, 200, 429]
    assert answers(session, clock, [3600, 3601, 3602]) == [200, 200, 429]  # the day's 5 used
    assert answers(session, clock, [86_400]) == [200]


def test_fake_windows_answer_401_404_and_a_throttled_crumb_then_recover():
    clock = SimulatedClock()
    crumb = "https://query1.finance.yahoo.com/v1/test/getcrumb"
    session = FakeYahooSession(
        {"IWM": make_ohlcv("2025-01-02", 3)},
        unauthorized=(0, 10),
        not_found=(10, 20),
        crumb_throttled=(0, 5),
        clock=clock,
    )
    assert session.request("GET", crumb).text == "Too Many Requests"
    assert answers(session, clock, [1, 11, 21]) == [401, 404, 200]
    assert session.request("GET", crumb).text == "fake-crumb"


def test_fake_blocks_answer_429_without_retry_after_or_lie_with_a_200():
    clock = SimulatedClock()
    data = {"IWM": make_ohlcv("2025-01-02", 10)}
    session = FakeYahooSession(data, blocks=(0, 3600), clock=clock)
    response = session.request("GET", CHART)
    assert response.status_code == 429 and "Retry-After" not in response.headers
    lying = FakeYahooSession(data, blocks=(0, 3600), throttled_as="empty", clock=clock)
    assert lying.request("GET", CHART).status_code == 200
    assert lying.request("GET", "https://query1.finance.yahoo.com/v1/test/getcrumb").text == (
        "Too Many Requests"
    )
    assert lying.rate_limited == 2
