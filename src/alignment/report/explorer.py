"""The explorer: one self-contained HTML page to browse the cascade offline (no CDN, no server).

Plans stand in rows by level (national at the top), each with its measures under it; aligned
links join measures across plans. The reader pans (drag), zooms (wheel or the +/- buttons),
searches (ids and text), and clicks a measure to see its text, units, requirement and every link
with its evidence; the gap and innovation lists select their measure on click. A link a reviewer
confirmed (``reviewed`` edge) is drawn dark and marked ✔.
:func:`explorer_html` is pure (graph and tables in, a string out); ``alignment explore`` writes it.
"""
from __future__ import annotations

import html
import json

import networkx as nx
import pandas as pd

from ..schemas import level_rank

__all__ = ["explorer_html"]

_COLUMNS = 12  # measures per row under a plan
_CELL, _ROW_GAP = 14, 60


def _layout(G: nx.DiGraph) -> tuple[list[dict], dict[str, tuple[float, float]]]:
    """Plan boxes and measure positions: a row of plans per level, measures in a grid under each."""
    plans = sorted((a for _, a in G.nodes(data=True) if a["kind"] == "plan"),
                   key=lambda a: (level_rank(a["level"]), a["doc_id"]))
    measures: dict[str, list[str]] = {}
    for m, a in G.nodes(data=True):
        if a["kind"] == "measure":
            measures.setdefault(a["doc_id"], []).append(m)
    boxes, pos, y = [], {}, 40.0
    for level in sorted({level_rank(p["level"]) for p in plans}):
        row = [p for p in plans if level_rank(p["level"]) == level]
        x, height = 20.0, 0.0
        for p in row:
            ms = measures.get(p["doc_id"], [])
            rows = max(1, -(-len(ms) // _COLUMNS))
            boxes.append({"id": f"plan:{p['doc_id']}", "doc": p["doc_id"], "title": p["title"], "level": p["level"],
                          "x": x, "y": y, "w": _COLUMNS * _CELL + 20, "h": rows * _CELL + 34})
            for i, m in enumerate(ms):
                pos[m] = (x + 17 + (i % _COLUMNS) * _CELL, y + 34 + (i // _COLUMNS) * _CELL)
            x += _COLUMNS * _CELL + 60
            height = max(height, rows * _CELL + 34)
        y += height + _ROW_GAP
    return boxes, pos


def explorer_html(G: nx.DiGraph, gaps: pd.DataFrame, innovations: pd.DataFrame, title: str = "plan-alignment") -> str:
    """The explorer page for a cascade graph.

    Parameters
    ----------
    G
        The cascade graph (:mod:`alignment.cascade.graph`).
    gaps, innovations
        The ``gaps`` and ``innovations`` tables, listed beside the graph.
    title
        The page title.

    Returns
    -------
    str
        A complete HTML document; everything it needs is inline.
    """
    boxes, pos = _layout(G)
    req_of = {m: r for r, m, k in G.edges(data="kind") if k == "carries"}
    nodes = []
    for m, (x, y) in pos.items():
        a = G.nodes[m]
        r = req_of.get(m)
        nodes.append({"id": m, "doc": a["doc_id"], "x": x, "y": y, "text": a["text"], "domain": a["domain"],
                      "lead": a["lead_units"], "resp": a["responsible_units"] + a["support_units"],
                      "req": r or "", "reqText": G.nodes[r]["text"] if r else ""})
    links = [{"s": u, "t": v, "label": e["label"], "score": round(e["score"], 3), "evidence": e["evidence"],
              "dir": e["direction"], "reviewed": bool(e.get("reviewed", False))}
             for u, v, e in G.edges(data=True) if e.get("kind") == "aligned" and u in pos and v in pos]
    lists = {"gaps": [{"id": r.item_id, "where": f"{r.upper_doc} → {r.lower_doc}", "text": r.text[:60]}
                      for r in gaps[gaps["scope"] == "measure"].itertuples()],
             "innovations": [{"id": r.measure_id, "where": r.doc_id, "text": r.text[:60]}
                             for r in innovations.itertuples()]}
    data = json.dumps({"boxes": boxes, "nodes": nodes, "links": links, "lists": lists}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # a measure's text must not close the script element
    return _PAGE.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;display:flex;height:100vh;color:#222}
#main{flex:1;position:relative;overflow:hidden;background:#fafafa}
svg{width:100%;height:100%;cursor:grab;user-select:none}
#side{width:360px;overflow:auto;border-left:1px solid #ccc;padding:8px;font-size:13px;background:#fff}
#bar{position:absolute;top:8px;left:8px;display:flex;gap:4px}
#bar input{width:220px;padding:3px}
.box{fill:#fff;stroke:#0072B2}.box.county{stroke:#009E73}.box.municipal{stroke:#E69F00}
.plan{font-size:11px;fill:#333}
.m{fill:#56B4E9;stroke:#fff;stroke-width:.5;cursor:pointer}.m.hit{fill:#D55E00}.m.sel{fill:#000}
.l{stroke:#999;stroke-opacity:.35;stroke-width:.6}.l.strong{stroke:#0072B2}.l.reviewed{stroke:#00446B;stroke-opacity:.9;stroke-width:1}
.l.on{stroke:#D55E00;stroke-opacity:1;stroke-width:1.5}
h3{margin:10px 0 4px;font-size:14px}li{margin:2px 0;cursor:pointer}.ev{color:#555;font-size:12px}
</style></head><body>
<div id="main"><div id="bar"><input id="q" placeholder="搜索 id 或文字 / search"><button id="zin">+</button>
<button id="zout">−</button><span id="count"></span></div><svg id="g"></svg></div>
<div id="side"><div id="info">点击一个措施查看其文本与链接。Click a measure to see its links.</div>
<div id="legend" class=ev>✔ 深色线:经审核人员确认的链接 · dark line: confirmed by a reviewer</div>
<h3>未承接的上级措施 (gaps)</h3><ul id="gaps"></ul><h3>本地创新 (innovations)</h3><ul id="innovations"></ul></div>
<script>
const D = __DATA__;
const NS = "http://www.w3.org/2000/svg", svg = document.getElementById("g");
const byId = new Map(D.nodes.map(n => [n.id, n]));
function el(tag, attrs, parent) { const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]); parent.appendChild(e); return e; }
const root = el("g", {}, svg);
for (const b of D.boxes) {
  el("rect", {class: "box " + b.level, x: b.x, y: b.y, width: b.w, height: b.h, rx: 4, "data-id": b.id}, root);
  el("text", {class: "plan", x: b.x + 6, y: b.y + 16}, root).textContent = b.doc + " " + (b.title || "").slice(0, 18);
}
const lineOf = [];
for (const l of D.links) { const a = byId.get(l.s), b = byId.get(l.t);
  lineOf.push([l, el("line", {class: "l " + l.label + (l.reviewed ? " reviewed" : ""), x1: a.x, y1: a.y, x2: b.x,
                              y2: b.y}, root)]); }
const dotOf = new Map();
for (const n of D.nodes) { const c = el("circle", {class: "m", cx: n.x, cy: n.y, r: 5, "data-id": n.id}, root);
  el("title", {}, c).textContent = n.id + " " + n.text.slice(0, 40); c.addEventListener("click", () => select(n.id));
  dotOf.set(n.id, c); }
const W = Math.max(...D.boxes.map(b => b.x + b.w)) + 20, H = Math.max(...D.boxes.map(b => b.y + b.h)) + 20;
let vb = [0, 0, W, H];
function show() { svg.setAttribute("viewBox", vb.join(" ")); }
function zoom(f, cx, cy) { cx = cx ?? vb[0] + vb[2] / 2; cy = cy ?? vb[1] + vb[3] / 2;
  vb = [cx - (cx - vb[0]) * f, cy - (cy - vb[1]) * f, vb[2] * f, vb[3] * f]; show(); }
svg.addEventListener("wheel", e => { e.preventDefault(); const r = svg.getBoundingClientRect();
  zoom(e.deltaY > 0 ? 1.2 : 1 / 1.2, vb[0] + (e.clientX - r.left) / r.width * vb[2], vb[1] + (e.clientY - r.top) / r.height * vb[3]); });
let drag = null;
svg.addEventListener("mousedown", e => { drag = [e.clientX, e.clientY, vb[0], vb[1]]; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", e => { if (!drag) return; const r = svg.getBoundingClientRect();
  vb[0] = drag[2] - (e.clientX - drag[0]) / r.width * vb[2]; vb[1] = drag[3] - (e.clientY - drag[1]) / r.height * vb[3]; show(); });
document.getElementById("zin").onclick = () => zoom(1 / 1.5);
document.getElementById("zout").onclick = () => zoom(1.5);
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
function select(id) {
  const n = byId.get(id); if (!n) return;
  for (const c of dotOf.values()) c.classList.remove("sel"); dotOf.get(id).classList.add("sel");
  const mine = [];
  for (const [l, line] of lineOf) { const on = l.s === id || l.t === id; line.classList.toggle("on", on); if (on) mine.push(l); }
  mine.sort((a, b) => b.score - a.score);
  document.getElementById("info").innerHTML = "<h3>" + esc(id) + "</h3><div>" + esc(n.text) + "</div>" +
    "<div class=ev>领域 " + esc(n.domain) + (n.lead.length ? " · 牵头 " + esc(n.lead.join("、")) : "") +
    (n.resp.length ? " · 责任/参加 " + esc(n.resp.join("、")) : "") +
    (n.req ? "<br>要求 " + esc(n.req) + ": " + esc(n.reqText) : "") + "</div><h3>链接 links (" + mine.length + ")</h3><ul>" +
    mine.map(l => { const o = l.s === id ? l.t : l.s; return "<li data-go='" + esc(o) + "'>" + (l.s === id ? "↓ " : "↑ ") +
      esc(o) + " · " + l.label + " " + l.score + (l.reviewed ? " ✔" : "") + "<div class=ev>" + esc(l.evidence) +
      "</div></li>"; }).join("") + "</ul>";
  for (const li of document.querySelectorAll("#info li")) li.onclick = () => select(li.dataset.go);
}
const q = document.getElementById("q");
q.addEventListener("input", () => { const s = q.value.trim(); let hits = 0, first = null;
  for (const n of D.nodes) { const hit = s && (n.id.includes(s) || n.text.includes(s));
    dotOf.get(n.id).classList.toggle("hit", !!hit); if (hit) { hits++; first = first || n; } }
  document.getElementById("count").textContent = s ? hits + " 个 / hits" : "";
  if (first) { vb = [first.x - 150, first.y - 100, 300, 200]; show(); } });
for (const name of ["gaps", "innovations"]) { const ul = document.getElementById(name);
  for (const item of D.lists[name]) { const li = document.createElement("li");
    li.textContent = item.where + " " + item.id + " " + item.text; li.dataset.id = item.id;
    li.onclick = () => select(item.id); ul.appendChild(li); } }
show();
</script></body></html>
"""
