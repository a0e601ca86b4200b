"""Cleaning steps on real seed snippets."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment.parsing.clean import (
    classify_boilerplate,
    clean_text,
    join_page_wraps,
    normalize_width,
    repair_gbk_garble,
    strip_pinyin,
    to_simplified,
)


def test_strip_pinyin_removes_readings_but_not_real_parentheses():
    text, n = strip_pinyin("關(guān)于進(jìn)一步加強(qiáng)市縣法治建設(shè)(中法委發(fā)〔2022〕5號(hào))")
    assert text == "關于進一步加強市縣法治建設(中法委發〔2022〕5號)"
    assert n == 6
    kept = "依法治市(县)委员会 (PPP) 项目(试行) 第(1)项"
    assert strip_pinyin(kept) == (kept, 0)


def test_repairs_byte_shifted_gbk_heading_from_seed_000():
    # garbled (三) heading exactly as it appears in seed 000
    repaired, spans = repair_gbk_garble(" ?。ㄈ\ue40c├卫伟盐帐锌h法治建設(shè)正確方向")
    assert repaired.startswith(" （三）牢牢把握市縣法治建設")
    assert [s.status for s in spans] == ["repaired"]


def test_repair_uses_pinyin_reading_to_recover_the_cut_last_character():
    repaired, spans = repair_gbk_garble(" ?。ǘ\ue46a┲饕\ue023繕?biāo)。圍繞")
    assert repaired == " （二）主要目標。圍繞"
    assert "biāo" in spans[0].note


def test_unrecoverable_garble_is_flagged_not_dropped():
    repaired, spans = repair_gbk_garble("健全勞動(dòng)人事?tīng)?zhēng)議多元處理")
    assert repaired.count("\ufffd") == 2 and repaired.endswith("議多元處理")
    assert {s.status for s in spans} == {"left"}


def test_seed_000_garble_report(seed_text):
    c = clean_text(seed_text("000"))
    counts = c.garble_counts()
    assert counts["found"] == 15 and counts["repaired"] == 10
    assert counts["found"] == counts["repaired"] + counts["partial"] + counts["left"]
    assert "（十八）" not in c.text and "(十八)加大信息技术" in c.text  # width normalised, t2s


def test_boilerplate_rules_on_seed_lines():
    assert classify_boilerplate("首 页 | 走进台安 | 政府领导 | 投资台安 | 政务公开 | 公众参与") == "navigation bar"
    assert classify_boilerplate("(上接第十版)") == "continuation marker"
    assert classify_boilerplate("辽宁日报 2021年05月14日") == "newspaper byline"
    assert classify_boilerplate("【字号      】  【打印文章") == "print/font widget"
    assert classify_boilerplate("- 全部留言") == "comment widget"
    assert classify_boilerplate("湘潭市司法局 xtsf.xiangtan.gov.cn 发布时间:2022-11-22 09:15") == "publication meta"
    assert classify_boilerplate("(三)强化宪法学习宣传教育") is None


def test_page_wrap_joined_inside_sentence_but_not_after_heading():
    paras = [(1, "遼寧省貫徹法治中國建設規劃實施方案"), (5, "16.增強地方法立法的針對性、適用性和可"),
             (7, "操作性。"), (9, "(二)堅持立改廢釋并舉"), (11, "7. 加強重點領域立法。")]
    out = join_page_wraps(paras)
    assert [t for _, t in out] == ["遼寧省貫徹法治中國建設規劃實施方案", "16.增強地方法立法的針對性、適用性和可操作性。",
                                   "(二)堅持立改廢釋并舉", "7. 加強重點領域立法。"]


def test_seed_002_page_wraps_are_joined(seed_text):
    c = clean_text(seed_text("002"))
    assert "适用性和可操作性" in c.text
    assert "政务服务事项全部接入" in c.text


def test_width_and_script_keep_length_and_document_brackets():
    s = "（一）到２０２５年，中法委發〔2022〕5號"
    w = normalize_width(s)
    assert w == "(一)到2025年,中法委發〔2022〕5號" and len(w) == len(s)
    simp = to_simplified("關於進一步加強市縣法治建設\n遼寧")
    assert simp == "关于进一步加强市县法治建设\n辽宁"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("關(guān)?。ǘ┲饕\ue46a繕一二、(一)1.（）\n 法治建设。;牵头单位:市委") + ["\ufffd"]),
               max_size=300))
def test_clean_text_never_crashes_and_keeps_offsets(raw):
    c = clean_text(raw)
    assert len(c.text) == len(c.text_original)
    for _, start, end in c.paragraph_lines:
        assert 0 <= start <= end <= len(c.text)


def test_notice_header_lines_stand_alone_but_a_wrapped_title_is_joined():  # wc01
    c = clean_text("西政办〔2020〕20号\n西平县人民政府办公室\n关于印发西平县2020年度法治政府建设\n工作安排的通知\n"
                   "2020年7月8日\n西平县2020年度法治政府建设工作安排\n2020年是收官之年。")
    paras = [c.text[a:b] for _, a, b in c.paragraph_lines]
    assert paras == ["西政办〔2020〕20号", "西平县人民政府办公室", "关于印发西平县2020年度法治政府建设工作安排的通知",
                     "2020年7月8日", "西平县2020年度法治政府建设工作安排", "2020年是收官之年。"]


def test_page_chunk_numbers_of_a_document_sharing_site_are_removed():  # wd05
    chunk = "二、工作计划1.开展普法宣传活动针对度乡的实际情况,我们将采取多种形式开展普法宣传活动,通过悬挂宣传标语、张贴宣传画等方式普及法律知识。同时在学校、村委、商"
    c = clean_text(f"1、度乡普法工作计划一、前言法律是人类社会发展的产物。{chunk}\n2、店等地方,设立法律知识宣传牌。2.落实普法责任制。")
    assert "商店等地方" in c.text and "\n" not in c.text
    assert [r for _, _, r in c.boilerplate].count("page-chunk marker of a document-sharing site") == 2
    # real items after a short label line are not page chunks (wc02)
    c = clean_text("1.认真落实权力清单。\n牵头单位:县政府办\n2.建立和完善责任清单制度。")
    assert c.text.count("\n") == 2 and not c.boilerplate


@pytest.mark.parametrize("line, reason", [
    ("首页 > 文章中心 > 正文", "breadcrumb"),
    ("专题专栏 > 热点专题 > 法治丹凤 > 通知公告 > 正文", "breadcrumb"),
    ("前言:本站为你精心整理了增强法治区政构建意见范文,希望能为你的创作提供参考价值", "content-farm advert"),
    ("中阳县政府 www.sxzhongyang.gov.cn 2016-03-21 00:00", "site byline"),
    ("呼和浩特市政府文件 字体(    )  打印", "print/font widget"),
])
def test_web_furniture_of_real_pages(line, reason):
    assert classify_boilerplate(line) == reason
