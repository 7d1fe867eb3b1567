"""The 150-row bimodal file of workflow/benchmarks/bimodal_small.py, as a dataset spec."""

import importlib.util

from conftest import REPO

_spec = importlib.util.spec_from_file_location("bimodal_small", REPO / "workflow" / "benchmarks" / "bimodal_small.py")
bimodal_small = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bimodal_small)


def bimodal_spec(tmp_path):
    """A `file` dataset spec (schema defaults) of the file written under ``tmp_path``."""
    path = bimodal_small.write(tmp_path / "bimodal_small.csv")
    return {"kind": "file", "path": str(path), "columns": None, "holdout_fraction": 0.2, "seed": 0}
