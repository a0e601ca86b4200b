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
# # 4. Coverage and gaps
# Coverage by plan pair, part and domain; the gaps; local innovations; deadline and target
# drift; who carries the work.

# %% tags=["parameters"]
project = None
encoder = None
lang = "zh"

# %%
from alignment.report.notebook import load_project
from alignment.report.plots import coverage_heatmap, drift_chart, gaps_and_innovations, responsibility_chart

p = load_project(project, encoder=encoder)
summary = p.table("coverage_summary")
summary[summary["scope"] == "plan"]

# %%
coverage_heatmap(summary, lang)

# %%
summary[summary["scope"] == "part"].sort_values("gap_rate", ascending=False).head(15)

# %%
gaps_and_innovations(p.table("gaps"), p.table("innovations"), lang)

# %%
p.table("gaps").head(20)

# %%
p.table("innovations").head(20)

# %%
drift = p.table("drift")
drift_chart(drift, lang)

# %%
drift[drift["change"].isin(["deadline earlier", "deadline later", "target raised", "target lowered"])][
    ["upper_measure", "lower_measure", "change", "upper_value", "lower_value", "upper_text", "lower_text"]]

# %%
responsibility_chart(p.table("unit_load"), lang)
