# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. New plans: drop a file in, rerun, see what changed
# Put a plan (.txt, .html, .docx, .pdf, .doc) into the project's `data/raw/` (set `new_plan` to
# copy one there), rerun the pipeline, and compare plans, measures and gaps with the run before.

# %% tags=["parameters"]
project = None
encoder = None
new_plan = None  # a file to copy into data/raw/ before the rerun; None: rerun as is

# %%
import shutil
from pathlib import Path

from alignment.cli import cli
from alignment.report.notebook import load_project, run_snapshot, what_changed

p = load_project(project, encoder=encoder)
before = run_snapshot(p) if (p.settings.processed_dir / "documents.parquet").exists() else None
if new_plan:
    shutil.copy(new_plan, p.settings.raw_dir / Path(new_plan).name)
argv = ["--project", str(p.settings.root), "run"] + (["--encoder", encoder] if encoder else [])
assert cli(argv) == 0, "the run failed: its message is above"

# %%
after = run_snapshot(load_project(project, encoder=encoder))
what_changed(before, after) if before else after["documents"][["doc_id", "n_measures"]]
