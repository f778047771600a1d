"""Quarto's post-render step, run from the project folder after a successful render.

It records the fingerprint of each post the build executed (``python -m analysis
postrender``, see analysis/site/freeze.py), then adds to the pages in the output folder
(QUARTO_PROJECT_OUTPUT_DIR) what Quarto does not write (analysis/site/postrender.py).
Quarto runs it with the Python the pre-render step checked (prerender.py).
"""

import os
import sys
from pathlib import Path

from analysis.cli import main as cli
from analysis.site.postrender import finish_site

if __name__ == "__main__":
    recorded = cli(["postrender", "--posts-dir", str(Path.cwd() / "posts")])
    finish_site(Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")))
    sys.exit(recorded)
