from textwrap import dedent

import pytest

from analysis.site.notebook import (
    CellExecutionError,
    InlineExpressionError,
    execute_post,
    inline_expressions,
    qmd_to_notebook,
)

POST = dedent("""\
    ---
    title: A post
    series: [^RUT]
    ---

    ```{python}
    #| label: setup
    #| echo: false
    import os
    from IPython.display import Markdown
    answer = 40 + int(os.environ["EXTRA"])
    bold = Markdown("**yes**")
    ```

    The answer is `{python} answer` and `{python} bold`.

    Ran in `{python} os.path.basename(os.getcwd())`.

    ````{python}
    text = "```"
    ````
""")


@pytest.fixture
def post(tmp_path):
    folder = tmp_path / "2026-01-01-a-post"
    folder.mkdir()
    path = folder / "index.qmd"
    path.write_text(POST)
    return path


def test_cells_split_like_quartos_jupyter_engine(post):
    notebook = qmd_to_notebook(post)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["code", "markdown", "code"]
    assert notebook.cells[0].source.startswith("#| label: setup\n#| echo: false\nimport os")
    assert notebook.cells[2].source == 'text = "```"'
    assert all("title:" not in cell.source for cell in notebook.cells)


def test_inline_expressions_are_found_once_each_and_not_in_fences(post):
    assert inline_expressions(post.read_text()) == [
        "answer",
        "bold",
        "os.path.basename(os.getcwd())",
    ]


def test_execution_uses_the_post_folder_environment_and_reports_inline_text(post):
    result = execute_post(post, env={"EXTRA": "2"})
    assert result.errors() == []
    assert result.inline_values == {
        "answer": "42",
        "bold": "**yes**",
        "os.path.basename(os.getcwd())": "2026-01-01-a-post",
    }


def test_inline_values_display_as_quarto_shows_them(tmp_path):
    path = tmp_path / "index.qmd"
    path.write_text(
        dedent("""\
        ```{python}
        import numpy as np
        x = 1
        ```

        Before: `{python} x`, numpy: `{python} np.float64(2.5)`, empty: `{python} ""`.

        ```{python}
        x = 2
        ```

        After: `{python} x + 0`.
    """)
    )
    result = execute_post(path)
    assert result.inline_values == {
        "x": "1",  # evaluated when execution reaches its paragraph, not at the end
        "np.float64(2.5)": "np.float64(2.5)",  # the repr a reader would see
        '""': "",
        "x + 0": "2",
    }
    assert result.unrendered_inline() == ['""']


def test_a_failing_inline_expression_raises(tmp_path):
    path = tmp_path / "index.qmd"
    path.write_text("Value: `{python} undefined_name`.\n")
    with pytest.raises(InlineExpressionError, match="undefined_name"):
        execute_post(path)


def test_a_failing_cell_raises_with_the_error(post):
    with pytest.raises(CellExecutionError, match="KeyError"):
        execute_post(post, env={})


def test_unclosed_fence_is_an_error(tmp_path):
    path = tmp_path / "index.qmd"
    path.write_text("```{python}\nx = 1\n")
    with pytest.raises(ValueError, match="not closed"):
        qmd_to_notebook(path)
