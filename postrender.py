"""Quarto's post-render step: add what Quarto does not write to the pages in _site/.

Quarto runs it from the project folder with QUARTO_PROJECT_OUTPUT_DIR naming the output
folder; see analysis/site/postrender.py for what it changes and why.
"""

import os
import sys
from pathlib import Path

from analysis.site.postrender import finish_site

if __name__ == "__main__":
    finish_site(Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")))
    sys.exit(0)
