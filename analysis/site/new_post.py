"""``python -m analysis new-post``: start a post folder from the template.

The new ``posts/<date>-<slug>/index.qmd`` renders as it is: it declares its series in the
front matter (so the build fetches them), reads them from the store, computes the return
of each since a base date, draws one chart with its source line and a CSV download, shows
the data notice, and re-checks an example claim. The writer then replaces the prose and
the example claim with their own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
import unicodedata
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from analysis.data.settings import POSTS_DIR, ResearchSettings, load_research_settings
from analysis.text import join_names, long_date

TEMPLATE = "post.qmd"
SLUG_MAX_LENGTH = 60

# Yahoo symbols (^RUT, IWM, CL=F, BRK-B, EURUSD=X) or FRED series (fred:DFEDTARU).
_SYMBOL = re.compile(r"^(?:fred:[A-Za-z0-9_]+|\^?[A-Za-z0-9][A-Za-z0-9.=\-]{0,19})$")


class NewPostError(ValueError):
    """A post cannot be created as asked; the message says why in one line."""


def slugify(title: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A folder-name-safe slug: lowercase ASCII letters and digits joined by single hyphens.

    Accents are dropped (``Réunion`` -> ``reunion``), ``&`` reads as ``and``, every other
    run of non-alphanumeric characters becomes one hyphen, and a slug longer than
    ``max_length`` is cut at the last whole word that fits.

    Raises
    ------
    NewPostError
        The title has no ASCII letter or digit to build a slug from.
    """
    text = unicodedata.normalize("NFKD", title.replace("&", " and "))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    if not slug:
        raise NewPostError(
            f"cannot make a folder name from the title {title!r}: it needs letters or digits"
        )
    return slug


def is_valid_symbol(symbol: str) -> bool:
    """Whether ``symbol`` looks like a Yahoo symbol or a ``fred:<ID>`` series."""
    return isinstance(symbol, str) and bool(_SYMBOL.match(symbol))


def post_series(symbols: Sequence[str], benchmarks: Sequence[str]) -> list[str]:
    """The series a post declares: its own symbols, then the benchmarks, without repeats.

    Raises
    ------
    NewPostError
        A symbol is malformed, or there is no symbol at all.
    """
    series = list(dict.fromkeys([*symbols, *benchmarks]))
    bad = [s for s in series if not is_valid_symbol(s)]
    if bad:
        raise NewPostError(
            f"not a symbol: {', '.join(map(repr, bad))} (use Yahoo symbols such as ^RUT, IWM, "
            "CL=F, or fred:<SERIES_ID>)"
        )
    if not series:
        raise NewPostError(
            "name at least one symbol with --symbols (research.yml has no benchmarks)"
        )
    return series


def parse_date(text: str | None, today: dt.date | None = None) -> dt.date:
    """The post date: ``YYYY-MM-DD``, or today when ``text`` is None."""
    if text is None:
        return today or dt.date.today()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise NewPostError(f"--date must be a real date written YYYY-MM-DD, got {text!r}")


def render_template(
    *,
    title: str,
    date: dt.date,
    series: Sequence[str],
    benchmark: str | None,
    categories: Sequence[str],
    author: str | None,
) -> str:
    """The text of a new post's ``index.qmd``.

    ``series[0]`` is the post's subject; ``benchmark`` (one of the other series, or None)
    is what the example claim compares it with.
    """
    # Returns are measured over the year before the post date, which the data covers
    # once the build has fetched full histories.
    base_date = _one_year_before(date)
    names = _reader_names(series)
    template = string.Template(
        resources.files("analysis.site").joinpath("templates", TEMPLATE).read_text("utf-8")
    )
    return template.substitute(
        title=_yaml_text(title),
        description=_yaml_text(
            f"{join_names([names[s] for s in series])}: returns since {long_date(base_date)}, "
            "recomputed at every build."
        ),
        date=date.isoformat(),
        author_line=f"author: {_yaml_text(author)}\n" if author else "",
        categories=_yaml_list(categories),
        series=_yaml_list(series),
        required=_yaml_list(series[:1]),
        claims=_example_claims(
            names[series[0]], names.get(benchmark) if benchmark else None, base_date
        ),
        computed=_example_computed(benchmark),
        benchmark=_python_text(benchmark),
        benchmark_sentence=(
            "\nOver the same sessions, `{python} label_for(BENCHMARK)` returned "
            "`{python} return_text(BENCHMARK)`."
            if benchmark
            else ""
        ),
        base_date=base_date.isoformat(),
        base_date_text=long_date(base_date),
    )


def create_post(
    title: str,
    *,
    symbols: Sequence[str] | None = None,
    date: str | None = None,
    categories: Sequence[str] | None = None,
    posts_dir: Path = POSTS_DIR,
    research: ResearchSettings | None = None,
    today: dt.date | None = None,
) -> Path:
    """Create ``<posts_dir>/<date>-<slug>/index.qmd`` from the template; return its path.

    Parameters
    ----------
    title : str
        The post's title; the folder's slug is made from it with :func:`slugify`.
    symbols : list of str, optional
        The series the post is about; the research.yml benchmarks are added after them.
        Without any, the post is about the benchmarks alone.
    date : str, optional
        ``YYYY-MM-DD``; today by default.
    categories : list of str, optional
        Replaces research.yml's default categories.
    posts_dir : Path
        Where post folders live.
    research : ResearchSettings, optional
        Defaults for new posts; read from ``research.yml`` when not given.

    Raises
    ------
    NewPostError
        A bad title, symbol or date, or the post folder already exists (nothing is
        overwritten).
    """
    if not title or not title.strip():
        raise NewPostError("the title must not be empty")
    title = " ".join(title.split())
    research = research or load_research_settings()
    when = parse_date(date, today)
    series = post_series(symbols or (), research.benchmarks)
    benchmark = pick_benchmark(series, research.benchmarks)
    folder = Path(posts_dir) / f"{when.isoformat()}-{slugify(title)}"
    text = render_template(
        title=title,
        date=when,
        series=series,
        benchmark=benchmark,
        categories=list(categories) if categories else list(research.categories),
        author=research.author,
    )
    Path(posts_dir).mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        raise NewPostError(
            f"{folder} already exists; nothing was changed (pick another title or --date)"
        ) from None
    path = folder / "index.qmd"
    path.write_text(text, encoding="utf-8")
    return path


def pick_benchmark(series: Sequence[str], benchmarks: Sequence[str]) -> str | None:
    """What a post's subject (``series[0]``) is compared with.

    The first research.yml benchmark that is not the subject; failing that, the post's
    second series; None when the post has a single series.
    """
    for symbol in [*benchmarks, *series[1:]]:
        if symbol != series[0]:
            return symbol
    return None


def _reader_names(series: Sequence[str]) -> dict[str, str]:
    # Imported here: the chart module brings matplotlib, which other commands do not need.
    from analysis.charts.colors import label_for

    return {symbol: label_for(symbol) for symbol in series}


def _one_year_before(date: dt.date) -> dt.date:
    try:
        return date.replace(year=date.year - 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year - 1, day=28)


def _yaml_text(text: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar, whatever the title contains.
    return json.dumps(text, ensure_ascii=False)


def _yaml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_yaml_text(i) for i in items) + "]"


def _python_text(text: str | None) -> str:
    return "None" if text is None else json.dumps(text)


def _example_claims(focus: str, benchmark: str | None, base_date: dt.date) -> str:
    """Front-matter ``claims:`` items matching the ``computed`` values the template makes.

    ``focus`` and ``benchmark`` are the reader names of the subject and its comparison.
    """
    items = [
        {
            "id": "focus_return",
            "claim": f"{focus} is up since {long_date(base_date)}",
            "published": 0.0,
            "kind": "at_least",
            "unit": "%",
            "decimals": 1,
            "note": "an example claim: replace it with a figure you are checking",
        }
    ]
    if benchmark is not None:
        items.append(
            {
                "id": "focus_beats_benchmark",
                "claim": f"{focus} has beaten {benchmark} since {long_date(base_date)}",
                "published": True,
                "note": "an example claim: replace it with a figure you are checking",
            }
        )
    lines = []
    for item in items:
        first = True
        for key, value in item.items():
            prefix = "  - " if first else "    "
            lines.append(f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}")
            first = False
    return "\n".join(lines)


def _example_computed(benchmark: str | None) -> str:
    """The template's ``computed`` entries, one per example claim."""
    lines = ['    "focus_return": 100 * returns[FOCUS],']
    if benchmark is not None:
        lines.append(
            '    "focus_beats_benchmark": (\n'
            "        bool(returns[FOCUS] > returns[BENCHMARK]) if BENCHMARK in returns else None\n"
            "    ),"
        )
    return "\n".join(lines)
