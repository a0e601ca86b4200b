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
# # 3. Cascade: from the top plan down to county tasks
# The document cascade, the requirements shared by several plans (filtered by domain), and one
# requirement traced from the top plan down.

# %% tags=["parameters"]
project = None
encoder = None
domain = None  # e.g. "党的领导"; None: every domain
requirement = None  # e.g. "req:14"; None: the largest

# %%
import pandas as pd

from alignment.cascade.graph import flows_into, sources
from alignment.report.notebook import load_project
from alignment.report.plots import cascade_network, requirement_flow

p = load_project(project, encoder=encoder)
G = p.graph
cascade_network(G)

# %%
requirement_flow(G)

# %%
reqs = pd.DataFrame([{"requirement": n, "size": a["size"], "plans": a["plans"], "domain": G.nodes[a["source"]]["domain"],
                      "text": a["text"]} for n, a in G.nodes(data=True) if a["kind"] == "requirement"])
shown = reqs if domain is None else reqs[reqs["domain"] == domain]
shown.sort_values("size", ascending=False).head(20)

# %%
requirement = requirement or shown.sort_values(["size", "requirement"], ascending=[False, True])["requirement"].iat[0]
members = [m for _, m in G.out_edges(requirement)]
rows = []
for m in members:
    a = G.nodes[m]
    rows.append({"plan": a["doc_id"], "level": G.nodes[f"plan:{a['doc_id']}"]["level"], "measure": m,
                 "text": a["text"][:80], "comes from": sorted(sources(G, m)), "flows into": sorted(flows_into(G, m))})
pd.DataFrame(rows).sort_values("level")
