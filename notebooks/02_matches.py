# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Matches: two plans side by side
# The links between two plans with their shared wording marked, the score distribution, the
# pairs most worth a reviewer's answer and, where a gold file exists, the evaluation against it.

# %% tags=["parameters"]
project = None
encoder = None
src = None  # upper plan; None: the first pair in the alignments table
tgt = None
gold = None  # a gold CSV in the shared format, or None
review_budget = 10  # pairs to review below

# %%
import matplotlib.pyplot as plt
from IPython.display import HTML

from alignment.report.notebook import load_project, side_by_side
from alignment.report.plots import use_cjk_font
from alignment.review.form import review_form, review_queue_for
from alignment.schemas import LINK_LABELS

p = load_project(project, encoder=encoder)
al = p.table("alignments")
if src is None or tgt is None:
    src, tgt = al[["src_doc", "tgt_doc"]].iloc[0]
al.groupby(["src_doc", "tgt_doc", "label"]).size().unstack(fill_value=0)

# %%
HTML(side_by_side(p, src, tgt, limit=15))

# %% [markdown]
# The model's scores; the pairs a reviewer decided score 1 or 0 and are left out.

# %%
use_cjk_font()
fig, ax = plt.subplots(figsize=(6.3, 3))
block = al[(al["src_doc"] == src) & (al["tgt_doc"] == tgt)]
reviewed = block["reviewed"].astype(bool)
for label, colour in zip(LINK_LABELS, ("#0072B2", "#E69F00", "#999999", "#D55E00")):
    scores = block.loc[~reviewed & (block["label"] == label), "score"]
    if len(scores):
        ax.hist(scores, bins=20, range=(0, 1), alpha=0.8, label=label, color=colour)
ax.set_xlabel("score")
ax.set_title(f"{src} → {tgt}: link scores ({reviewed.sum()} reviewed pairs not shown)")
ax.legend(frameon=False)

# %% [markdown]
# ## Review the links that matter most
# The pairs whose answers would improve the links most, chosen as `alignment review` chooses
# them. Pick strong, partial or none for the ones you can judge, then *Record decisions*: the
# next `alignment run` honours them and refits the score model on them, so the pairs nobody
# reviewed improve too.

# %%
queue = review_queue_for(p, src, tgt, budget=review_budget)
review_form(p, queue)

# %%
if gold:
    from alignment.cli import cli

    cli(["--project", str(p.settings.root), "evaluate", "--gold", str(gold), "--encoders", p.settings.encoder])
