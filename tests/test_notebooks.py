"""The notebooks: stored clean (no outputs, an intro, next steps); each runs top to bottom (real model)."""

from __future__ import annotations

import json
import os
import sys

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[notebooks]'")

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {"01_quickstart", "02_role_map", "03_model_quality", "04_batch"}


def test_the_four_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown", "start with a short paragraph saying what the notebook shows"
    assert nb.cells[-1].cell_type == "markdown" and "what to try next" in nb.cells[-1].source.lower()
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name} is stored with outputs; clear them (Restart & Clear Output) and save again"
            )


@pytest.fixture(scope="module")
def kernel_manager_factory(tmp_path_factory):
    """Kernels for the interpreter running the tests, from a kernelspec in a temp folder (so a registered
    ``python3`` kernel is not needed, and a stale one pointing at another Python is not used)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path_factory.mktemp("kernels")
    spec = kernels / "rolematch-test"
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "rolematch", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    return lambda: KernelManager(kernel_name="rolematch-test", kernel_spec_manager=specs)


@pytest.mark.model
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, kernel_manager_factory, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, km=kernel_manager_factory(), timeout=300, resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # scratch files a notebook makes land under tmp_path
    client.execute(env=env)  # a failing cell raises CellExecutionError naming the cell and the error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert shown, "the notebook ran but showed nothing"
