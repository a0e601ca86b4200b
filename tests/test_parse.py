"""Structure and field extraction on the seed plans."""
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment import extract
from alignment.clean import clean_text
from alignment.parse import match_marker, parse_structure


def _measures(corpus, prefix):
    m = corpus.measures
    return m[m["source_file"].str.startswith(prefix) & (m["kind"] == "measure")]


def test_expected_measure_counts_on_seeds(corpus):
    counts = {p: len(_measures(corpus, p)) for p in ("000", "001", "002", "003", "004")}
    assert counts == {"000": 54, "001": 38, "002": 67, "003": 87, "004": 50}
    items_003 = _measures(corpus, "003").drop_duplicates(["section_numbers", "number"])
    assert len(items_003) == 35


def test_garbled_headings_recovered_into_right_subsections(corpus):
    m = _measures(corpus, "000").set_index("number")
    assert m.loc["11.", "section_numbers"] == "三.(八)"
    assert m.loc["53.", "section_numbers"] == "四.(十九)"
    assert "(八)著力服务市县经济高质量发展" in m.loc["11.", "section_path"]
    numbers = [int(n.rstrip(".")) for n in _measures(corpus, "000")["number"]]
    assert numbers == list(range(1, 55))


def test_continuation_part_gets_inferred_parents(corpus):
    m = _measures(corpus, "001")
    first = m.iloc[0]
    assert first["number"] == "3." and first["section_numbers"] == "六.(一)"
    assert "[inferred]" in first["section_path"]
    assert set(_measures(corpus, "002")["section_numbers"].str[:1]) == {"二", "三", "四"}


def test_run_on_item_split_and_ids_stable(corpus):
    m = _measures(corpus, "004")
    assert {"39.", "40."} <= set(m["number"])
    assert m[m["number"] == "40."]["text"].iat[0].startswith("加强对政府工作人员的法治教育培训")
    assert corpus.measures["measure_id"].is_unique


def test_bundled_tasks_carry_their_own_units(corpus):
    m = _measures(corpus, "003")
    first = m[m["measure_id"] == "003:二/(二)-t1"].iloc[0]
    assert first["responsible_units"] == ["市委办公室", "市委组织部", "市委依法治市办"]
    bracket = m[m["text"].str.contains(r"\[牵头单位")].iloc[0]
    assert bracket["lead_units"] == ["市委组织部", "市委依法治市办"]
    assert "各县市区党委" in bracket["support_units"]


def test_unnumbered_duty_paragraphs_kept_and_typed(corpus):
    m = corpus.measures
    closing = m[(m["doc_id"] == "003") & (m["kind"] == "closing")]
    assert len(closing) == 1 and closing["text"].iat[0].startswith("市委全面依法治市委员会")
    assert (m[(m["doc_id"] == "004")]["kind"] == "preamble").sum() == 1


def test_residue_is_only_page_furniture(corpus):
    r = corpus.residue
    assert (r["kind"] == "unassigned").sum() == 0
    assert set(r[r["doc_id"] == "004"]["reason"]) >= {"navigation bar", "breadcrumb", "print/font widget"}


def test_document_fields_inferred(corpus):
    d = corpus.documents.set_index("doc_id")
    assert d.loc["001", "period_start"] == 2021 and d.loc["001", "period_end"] == 2025
    assert d.loc["000", "implements"] == ["关于进一步加强市县法治建设的意见(中法委发〔2022〕5号)"]
    assert "鞍委发〔2017〕10号" in d.loc["004", "citations"]
    assert any("法治中国建设规划" in x for x in d.loc["001", "implements"])


def test_units_with_duty_phrases():
    units = extract.parse_responsibility("(责任单位:市直和县市区各党政机关按职责分工负责)")
    assert units["responsible"] == ["市直和县市区各党政机关"]
    units = extract.parse_responsibility("(牵头单位:市委组织部、市人大办公室;参加单位:市委和市政府其他有关部门,各县市区党委(党组))")
    assert units["lead"] == ["市委组织部", "市人大办公室"]
    assert units["support"] == ["市委和市政府其他有关部门", "各县市区党委(党组)"]


def test_deadlines():
    d = extract.extract_deadlines("到2025年,建成5个示范市。2022年底前完成清理。三年内全覆盖。", base_year=2021)
    assert [(x["year"], x["date"]) for x in d] == [(2025, "2025-12-31"), (2022, "2022-12-31"), (2024, "2024-12-31")]
    assert extract.extract_deadlines("中法委发〔2022〕5号和(2021—2025年)规划") == []


def test_targets():
    t = extract.extract_targets("确保每人每年接受不少于60学时的培训,审核率达到100%,3人以上,85%以上,每年至少2次")
    got = [(x["value"], x["unit"], x["comparator"]) for x in t]
    assert (60.0, "学时", ">=") in got and (100.0, "%", ">=") in got
    assert (3.0, "人", ">=") in got and (85.0, "%", ">=") in got and (2.0, "次", ">=") in got
    assert extract.extract_targets("完善“12348辽宁法网”的服务功能") == []


def test_citations_normalise_brackets():
    c = extract.extract_citations("根据《中共鞍山市委关于印发〈实施方案〉的通知》(鞍委发[2017]10号)和中法委发〔2022〕5号")
    norms = [x["normalized"] for x in c]
    assert norms == ["中共鞍山市委关于印发实施方案的通知", "鞍委发〔2017〕10号", "中法委发〔2022〕5号"]


def test_markers():
    assert match_marker("(十九)强化法治工作").value == 19
    assert match_marker("三十五、附则").value == 35
    assert match_marker("2.5亿元投入") is None
    assert match_marker("第十二条 规定").style == "article"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["一、总体要求", "(一)加强领导", "1.推进改革。(责任单位:市委)", "2.完善制度。",
                                 "(牵头单位:市司法局)加强监督。(责任单位:市政府)", "各地区要落实。", "?。ㄈ", "40.再次"]),
                max_size=12))
def test_parse_never_crashes_and_offsets_hold(paragraphs):
    c = clean_text("\n".join(paragraphs))
    units = parse_structure(c, "x", "x.txt")
    for u in units:
        assert c.text[u["char_start"]:u["char_end"]].strip() == u["text"]
    assert len({u["measure_id"] for u in units}) == len(units)
