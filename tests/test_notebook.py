"""The student notebook assignment/nn_backprop.ipynb.

(a) it is a valid nbformat v4 notebook with valid nbgrader (schema 3) metadata;
(b) it is exactly what tools/build_notebook.py writes;
(c) it runs to the end next to the reference solutions, with no FAIL in the self-checks;
(d) it runs to the end next to the untouched stubs, saying "not implemented yet".

The notebook runs in a temporary folder holding a copy of it, selfcheck.py and
the three modules, on a kernel spec written for this interpreter (so the kernel
is this virtualenv's python whatever kernels the machine has installed).
"""
from __future__ import annotations

import asyncio
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbgrader.nbgraderformat import MetadataValidator

from autograder.grading.plugin import declared_tests
from autograder.spec.assignment import MODULES
from autograder.spec.config import load_config

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignment"
NOTEBOOK = ASSIGNMENT / "nn_backprop.ipynb"


def test_notebook_is_valid_nbformat_and_nbgrader():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.nbformat == 4
    nbformat.validate(nb)  # raises nbformat.ValidationError
    MetadataValidator().validate_nb(nb)  # raises nbgrader's ValidationError
    written = {item.cell: item.points for item in load_config(ROOT / "config.yaml", declared_tests()).written}
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        assert meta is not None, f"cell without nbgrader metadata:\n{cell.source[:200]}"
        assert meta["schema_version"] == 3
        assert not cell.get("outputs"), f"cell {meta['grade_id']} has stored outputs"
        if meta["grade"]:  # a manually graded answer: Markdown, the student's to write, as released by nbgrader
            assert meta["solution"] and not meta["locked"] and cell.cell_type == "markdown", meta["grade_id"]
            assert cell.source == "YOUR ANSWER HERE", meta["grade_id"]
            answers[meta["grade_id"]] = meta["points"]
        else:
            assert meta["locked"] and not meta["solution"], meta["grade_id"]
    assert answers == written  # one answer cell per written item of config.yaml, with its points
    assert len(answers) >= 3


def test_notebook_matches_builder():
    spec = importlib.util.spec_from_file_location("build_notebook", ROOT / "tools" / "build_notebook.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert NOTEBOOK.read_text(encoding="utf-8") == builder.render(), (
        "assignment/nn_backprop.ipynb is out of date; run: python tools/build_notebook.py"
    )


def _prepare(folder: Path, module_dir: Path) -> Path:
    """Copy the notebook, selfcheck.py and the three modules from module_dir into folder."""
    folder.mkdir()
    for path in [NOTEBOOK, ASSIGNMENT / "selfcheck.py", *(module_dir / name for name in MODULES)]:
        shutil.copy(path, folder / path.name)
    return folder / NOTEBOOK.name


async def _execute_all(notebooks: list[Path], kernel_dirs: list[str]) -> list[nbformat.NotebookNode]:
    """Execute notebooks concurrently, each in its own folder; raise on any cell error."""
    specs = KernelSpecManager(kernel_dirs=kernel_dirs)

    async def execute(path: Path):
        nb = nbformat.read(path, as_version=4)
        km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)
        client = NotebookClient(nb, km=km, timeout=60, resources={"metadata": {"path": str(path.parent)}})
        await client.async_execute()
        return nb

    return await asyncio.gather(*(execute(path) for path in notebooks))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """{"solutions": executed notebook, "stubs": executed notebook}."""
    tmp = tmp_path_factory.mktemp("notebook")
    kernels = tmp / "kernels"
    write_kernel_spec(kernels / "python3")  # argv uses sys.executable: this venv's python
    paths = {
        "solutions": _prepare(tmp / "solutions", ROOT / "solutions"),
        "stubs": _prepare(tmp / "stubs", ASSIGNMENT),
    }
    notebooks = asyncio.run(_execute_all(list(paths.values()), [str(kernels)]))
    return dict(zip(paths, notebooks))


def _text(nb) -> str:
    """Everything the notebook printed (stream outputs and text/plain results)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out:
                parts.append(out.data.get("text/plain", ""))
            elif out.output_type == "error":
                parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def _images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def test_notebook_runs_with_solutions(executed):
    text = _text(executed["solutions"])
    assert "FAIL" not in text, text
    assert "NOT DONE" not in text and "not implemented yet" not in text, text
    assert "did not finish" not in text, text
    for question in ("Question 1", "Question 2", "Question 3"):
        assert question in text, text
    assert text.count("checks pass.") == 3, text
    assert "4 of 4 points classified correctly" in text, text
    assert "too large" not in text and "shapes differ" not in text, text
    assert _images(executed["solutions"]) == 2  # the step-network plot and the XOR regions


def test_notebook_runs_with_stubs(executed):
    text = _text(executed["stubs"])
    assert "not implemented yet" in text, text
    for name in ("piecewise_constant_params", "xor_weights", "backprop"):
        assert f"{name} is not implemented yet" in text, text
    assert "FAIL" not in text, text  # untouched stubs are NOT DONE, never FAIL
    assert "did not finish" not in text, text
    assert _images(executed["stubs"]) == 0
