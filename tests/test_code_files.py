"""toygan.code_files: the package files a workflow script runs, found without importing them."""

import sys

from conftest import REPO
from toygan.code_files import _imported, package_files

SCRIPTS = REPO / "workflow" / "scripts"


def names(script):
    return {str(p.relative_to(REPO / "workflow" / "toygan")) for p in package_files(SCRIPTS / script)}


def test_figure_code_is_found_through_the_package_and_relative_imports():
    found = names("plot_run.py")
    assert {"__init__.py", "plots/jobs.py", "plots/__init__.py", "plots/runs.py", "plots/style.py", "io.py",
            "logs.py"} <= found
    assert not any(n.startswith(("training/", "evaluation/")) for n in found)


def test_lazy_imports_inside_functions_count():
    found = names("train.py")  # the train job imports the trainer inside main()
    assert {"training/job.py", "training/group.py", "training/networks.py", "training/losses.py",
            "training/tfsetup.py"} <= found
    assert not any(n.startswith("plots/") for n in found)


def test_nothing_is_imported():
    before = set(sys.modules)
    package_files.cache_clear()
    _imported.cache_clear()
    package_files(SCRIPTS / "sample.py")
    assert not {m for m in set(sys.modules) - before if m.startswith(("tensorflow", "keras"))}
