"""Structure and field extraction on the seed plans."""
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.parsing import extract
from alignment.parsing.clean import clean_text
from alignment.parsing.parse import match_marker, parse_structure


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


# --------------------------------------------------------------------------- rules from real pages
# Each snippet comes from a page of tests/wild/ (named in the test); each rule is about how plans
# are written, not about that page.

def _units(raw: str):
    return parse_structure(clean_text(raw), "w", "w.txt")


def _kinds(raw: str):
    return [(u["number"], u["kind"]) for u in _units(raw)]


def test_an_item_whose_title_stands_on_its_own_line_is_one_measure_with_its_body():  # wa01
    units = _units("一、健全政府机构职能体系\n(一)推进政府机构职能优化协同高效\n继续优化政府组织结构,进一步理顺政府各部门职责关系。\n"
                   "推动基层管理扁平化。\n(二)深入推进“放管服”改革\n持续推进行政审批制度改革。\n")
    measures = [u for u in units if u["kind"] == "measure"]
    assert [u["number"] for u in measures] == ["(一)", "(二)"]
    assert measures[0]["title"] == "推进政府机构职能优化协同高效"
    assert "推动基层管理扁平化" in measures[0]["text"] and "titled_item" in measures[0]["flags"]


def test_a_responsibility_line_after_the_item_belongs_to_it():  # wc01, wc02
    units = _units("二、依法全面履行政府职能\n1.认真落实权力清单制度,强化执行职责。\n牵头单位:县政府办、县编办、县政府法制办\n"
                   "配合单位:县政府各有关部门\n2.建立和完善责任清单制度。\n责任单位:县政府办公室、县司法局,乡镇人民政府按职责分工分别负责。\n")
    first, second = [u for u in units if u["kind"] == "measure"]
    assert first["lead_units"] == ["县政府办", "县编办", "县政府法制办"]
    assert first["support_units"] == ["县政府各有关部门"]
    assert second["responsible_units"] == ["县政府办公室", "县司法局", "乡镇人民政府"]


def test_tasks_listed_as_yishi_ershi_in_prose_are_measures_but_not_inside_a_numbered_item():  # wd09, seed 004
    news = _units("县人大常委会作出决议后,县司法局采取八项措施。\n一是调整了领导小组成员。二是出台了《通江县法制宣传教育第六个五年规划》。"
                  "三是组建了宣讲团。\n")
    assert [u["number"] for u in news if u["kind"] == "measure"] == ["一是", "二是", "三是"]
    numbered = _units("一、主要任务\n1.加强决策机制建设。一是公众参与环节。二是专家论证环节。\n")
    assert [u["number"] for u in numbered if u["kind"] == "measure"] == ["1."]


def test_an_item_that_lost_its_number_one_is_recovered():  # wd06
    kinds = _kinds("二、推进措施\n积极推进涉农领域立法。探索制定地方性法规。(责任单位:市司法局)\n2. 加强涉农重点领域执法。加大执法力度。\n")
    assert kinds == [("1.", "measure"), ("2.", "measure")]


def test_the_last_item_cut_before_its_first_sentence_is_a_fragment():  # wa02, wb02, we08
    assert _kinds("22.理顺行政执法体制。深入推进改革。\n23.规")[-1] == ("23.", "fragment")
    assert _kinds("一、总体要求\n坚持依法行政。\n二、主要创建任务\n主要围绕《指标体系》10项一级指标、104项三级")[-1][1] == "fragment"
    assert _kinds("(一)全面推行公示制度\n1.强化事前公开。\n健全公示。\n2.规范事中公示。\n执法人员在调查取证、采")[-1] == ("2.", "measure")


def test_purpose_scope_and_principle_articles_assign_no_task():  # wa04, wa05
    kinds = _kinds("第一章 总则\n第一条 为贯彻落实党中央部署,根据《规定》,制定本实施办法。\n第二条 本实施办法适用于全省县级以上地方党委。\n"
                   "第三条 党政主要负责人履行职责,必须坚持党的领导。\n第四条 党政主要负责人应当切实履行职责,统筹推进依法执政。\n")
    assert kinds == [("第一条", "preamble"), ("第二条", "goal"), ("第三条", "goal"), ("第四条", "measure")]


def test_items_run_together_on_a_page_that_lost_its_line_breaks():  # wc05
    raw = ("2023年依法治镇工作一、认真贯彻落实县依法治县2023年工作要点1、认真贯彻落实县依法治县工作。全镇各单位要开展自查。"
           "2、推动争创法治建设工作。发挥党委的领导核心作用。二、加强法治政府建设,制造良好政务环境1、健全镇行政服务中心建设。"
           "完善运作机制。2、全面落实行政执法责任制。实施行政执法。")
    measures = [u for u in _units(raw) if u["kind"] == "measure"]
    assert [(u["section_numbers"], u["number"]) for u in measures] == [("一", "1、"), ("一", "2、"), ("二", "1、"), ("二", "2、")]


def test_roles_written_after_the_names_and_other_list_forms():  # wb05, wf04, wf05, wf02, wc04
    u = extract.units_in("(市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责)")
    assert u == {"lead": ["市政府办公室", "市审改办"], "support": [], "responsible": ["市级各有关部门及各县市区政府"]}
    u = extract.units_in("责任单位:市审改办、市市场监管局分别牵头,市法制局参加,各区人民政府按职责分别负责。")
    assert u == {"lead": ["市审改办", "市市场监管局"], "support": ["市法制局"], "responsible": ["各区人民政府"]}
    u = extract.units_in("(责任单位:区委依法治区办、区司法局、各单位各部门。排序第一的单位为牵头单位,下同)")
    assert u["lead"] == ["区委依法治区办"] and u["responsible"] == ["区委依法治区办", "区司法局", "各单位各部门"]
    assert extract.units_in("每季度至少举办一次学法报告活动。(省委宣传部、省法制办)")["responsible"] == ["省委宣传部", "省法制办"]
    assert extract.units_in("加强青少年宪法教育。(责任单位:县委办、县政府办、县委")["responsible"] == ["县委办", "县政府办"]
    assert extract.units_in("提高质量(详见附件)。") == {"lead": [], "support": [], "responsible": []}


def test_docnos_in_other_brackets_and_titles_left_open():  # wa04, wb04
    c = extract.extract_citations("按照《法治政府建设实施纲要(2015-2020年)、《湖北省法治政府建设实施方案》和川委办﹝2017﹞15号要求")
    assert [x["normalized"] for x in c] == ["法治政府建设实施纲要(2015-2020年)", "湖北省法治政府建设实施方案", "川委办〔2017〕15号"]


def test_a_plan_with_only_goals_is_kept_with_a_flag_and_an_empty_residue_is_valid(tmp_path):  # wc08
    from alignment.parsing.manifest import load_manifest
    from alignment.parsing.parse import parse_corpus

    (tmp_path / "a.txt").write_text("荣成市全面推进依法行政第五个五年规划\n一、指导思想\n以科学发展观为指导,全面推进依法行政。\n",
                                    encoding="utf-8")
    result = parse_corpus(load_manifest(tmp_path), progress=False)
    doc = result.documents.iloc[0]
    assert result.errors == [] and doc["n_measures"] == 0
    assert any("structure doubtful" in f for f in doc["flags"])
    assert result.residue.empty and str(result.residue["text"].dtype) != "object"


def test_a_target_at_the_very_start_of_a_text_is_found():
    assert [t["value"] for t in extract.extract_targets("达到100%")] == [100.0]
    assert [t["value"] for t in extract.extract_targets("增长2.5%")] == [2.5]  # not also its tail, 5%
