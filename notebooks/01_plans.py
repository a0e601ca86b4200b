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
# # 1. Plans: what was loaded and how it was read
# Cleaning report (garble repaired or flagged, pinyin removed, script converted), each plan's
# hierarchy, measures per section, units, deadlines, targets and citations.

# %% tags=["parameters"]
project = None  # the project folder; None: the one holding this notebook's folder
encoder = None
plan = None  # a doc_id to look at closely; None: the first plan

# %%
import pandas as pd

from alignment.report.notebook import load_project

p = load_project(project, encoder=encoder)
docs = p.table("documents")
docs[["doc_id", "status", "title", "level", "region", "period_start", "period_end", "n_measures", "reason"]]

# %% [markdown]
# ## Cleaning report: what was repaired, removed or flagged, plan by plan

# %%
docs[["doc_id", "encoding", "flags", "inferred"]]

# %%
residue = p.table("residue")
residue.groupby(["doc_id", "kind", "reason"]).size().rename("lines").reset_index()

# %% [markdown]
# ## One plan's hierarchy and measures

# %%
plan = plan or docs.loc[docs["status"] == "parsed", "doc_id"].iat[0]
m = p.table("measures")
mine = m[(m["doc_id"] == plan) & (m["kind"] == "measure")]
mine.groupby("section_path").size().rename("measures").reset_index()

# %%
mine[["measure_id", "title", "lead_units", "responsible_units", "deadlines", "targets", "citations"]].head(20)

# %% [markdown]
# ## Units, deadlines and citations across the corpus

# %%
units = m.explode("lead_units").dropna(subset=["lead_units"])
units.groupby("lead_units").size().sort_values(ascending=False).head(15)

# %%
years = m["deadlines"].explode().dropna().map(lambda d: d.get("year"))
years.value_counts().sort_index()

# %%
pd.Series([c for cs in docs["citations"] for c in cs]).value_counts().head(15)
