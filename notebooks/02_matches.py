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
# # 2. Matches: two plans side by side
# The links between two plans with their shared wording marked, the score distribution, and,
# where a gold file exists, the evaluation against it.

# %% tags=["parameters"]
project = None
encoder = None
src = None  # upper plan; None: the first pair in the alignments table
tgt = None
gold = None  # a gold CSV in the shared format, or None

# %%
import matplotlib.pyplot as plt
from IPython.display import HTML

from alignment.report.notebook import load_project, side_by_side
from alignment.report.plots import use_cjk_font

p = load_project(project, encoder=encoder)
al = p.table("alignments")
if src is None or tgt is None:
    src, tgt = al[["src_doc", "tgt_doc"]].iloc[0]
al.groupby(["src_doc", "tgt_doc", "label"]).size().unstack(fill_value=0)

# %%
HTML(side_by_side(p, src, tgt, limit=15))

# %%
use_cjk_font()
fig, ax = plt.subplots(figsize=(6.3, 3))
block = al[(al["src_doc"] == src) & (al["tgt_doc"] == tgt)]
for label, colour in (("strong", "#0072B2"), ("partial", "#E69F00"), ("candidate", "#999999")):
    ax.hist(block.loc[block["label"] == label, "score"], bins=20, range=(0, 1), alpha=0.8, label=label, color=colour)
ax.set_xlabel("score")
ax.set_title(f"{src} → {tgt}: link scores")
ax.legend(frameon=False)

# %%
if gold:
    from alignment.cli import cli

    cli(["--project", str(p.settings.root), "evaluate", "--gold", str(gold), "--encoders", p.settings.encoder])
