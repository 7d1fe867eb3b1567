"""Shared test setup: ``import toygan`` without installing, and the repo root."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "workflow" / "benchmarks"))  # examples.py, gallery.py: developer tools
