"""Document metadata from real page snippets (tests/wild/ sources): each rule on its own."""
import pytest

from alignment.parsing.clean import clean_text
from alignment.parsing.gazetteer import load_gazetteer
from alignment.parsing.meta import implemented_documents, infer_meta
from alignment.parsing.parse import lead_paragraphs


def meta_of(raw: str):
    clean = clean_text(raw)
    return infer_meta(lead_paragraphs(clean), clean.text)


XIPING = """西政办〔2020〕20号
西平县人民政府办公室
关于印发西平县2020年度法治政府建设
工作安排的通知
各乡镇人民政府,各街道办事处,产业集聚区管委会,县直有关单位:
《西平县2020年度法治政府建设工作安排》已经县政府同意,现印发给你们,请认真贯彻执行。
2020年7月8日
西平县2020年度法治政府建设工作安排
2020年是全面建成小康社会和“十三五”规划收官之年。
一、依法全面履行政府职能
(一)为推动经济高质量发展提供法治保障。坚持稳中快进工作总基调。
"""


def test_a_notice_wrapped_plan_gives_title_docno_issuer_period_region():
    m = meta_of(XIPING)
    assert m.title == "西平县2020年度法治政府建设工作安排"
    assert m.evidence["title"] == "the 《》 of a 印发 notice or news lead"
    assert m.docno == "西政办〔2020〕20号"
    assert m.issuer == "西平县人民政府办公室"
    assert (m.period_start, m.period_end) == (2020, 2020)
    assert (m.region, m.level) == ("河南省驻马店市西平县", "county")


def test_an_upstream_text_issued_by_others_is_not_the_title():
    m = meta_of("为深入贯彻落实党中央、国务院印发的《法治政府建设实施纲要(2021—2025年)》精神,结合自治区实际,"
                "制定本方案。\n一、健全政府机构职能体系\n")
    assert m.title == "" and m.period_start is None
    assert m.level == "provincial"


def test_a_news_lead_names_the_plan_and_its_issuers():
    m = meta_of("近日,市委、市政府印发了《成都市法治政府建设实施方案(2021-2025年)》,并发出通知,要求各地结合实际认真贯彻落实。\n"
                "一、总体要求\n")
    assert m.title == "成都市法治政府建设实施方案(2021-2025年)"
    assert m.issuer == "市委 市政府"
    assert (m.period_start, m.period_end, m.region) == (2021, 2025, "四川省成都市")


def test_a_news_lead_without_title_marks_still_names_the_plan():
    m = meta_of("梁子湖区出台法治政府建设工作要点为全年工作指明方向\n"
                "日前,梁子湖区出台2018年法治政府建设工作要点及任务分解,明确目标任务,推动工作有序开展。\n")
    assert m.title == "2018年法治政府建设工作要点" and m.period_start == 2018


def test_damaged_docno_and_glued_joint_issuers_from_a_county_page():
    m = meta_of("株县发20174\n中共株洲县委\n株洲县人民政府\n关于印发《株洲县深入推进法治政府建设\n实施方案》的通知\n"
                "现将《株洲县深入推进法治政府建设实施方案》印发给你们,请结合实际认真贯彻执行。\n"
                "中共株洲县委\n株洲县人民政府\n2017322\n株洲县深入推进法治政府建设实施方案\n一、总体要求\n")
    assert m.docno == "株县发〔2017〕4号"
    assert m.issuer == "中共株洲县委 株洲县人民政府"
    assert m.title == "株洲县深入推进法治政府建设实施方案"


def test_joint_issuers_glued_in_a_notice_title_are_split():
    m = meta_of("中共张掖市委张掖市人民政府关于印发《张掖市法治政府建设实施方案(2016-2020年)》的通知\n一、总体要求\n")
    assert m.issuer == "中共张掖市委 张掖市人民政府"


def test_a_forwarded_text_is_the_plan_with_its_own_issuer_and_docno():
    m = meta_of("河委发〔2017〕70号\n各村(社区)、镇级各单位:\n经镇党委、政府同意,现将省委办公厅、省政府办公厅印发的"
                "《四川省党政主要负责人履行推进法治建设第一责任人职责实施办法》(川委办﹝2017﹞15号)转发你们,请认真组织学习。\n"
                "四川省党政主要负责人履行推进法治建设第一责任人职责实施办法\n第一条为贯彻落实党中央部署,根据《党政主要负责人履行推进法治建设"
                "第一责任人职责规定》,制定本办法。\n")
    assert m.issuer == "省委办公厅 省政府办公厅"
    assert m.docno == "川委办〔2017〕15号"
    assert (m.region, m.level) == ("四川省", "provincial")


def test_disclosure_table_fields_give_title_issuer_and_docno():
    m = meta_of("索 引 号: | 11220200013513606F/2022-02254 |\n发文机关: | 中共吉林市委 吉林市人民政府 |\n"
                "标 题: | 吉林市法治政府建设实施方案 (2021—2025年) |\n发文字号: | 吉市发〔2022〕7号 |\n"
                "为切实推进吉林市法治政府建设,结合我市实际,制定本实施方案。\n一、总体要求\n")
    assert m.title.replace(" ", "") == "吉林市法治政府建设实施方案(2021—2025年)"
    assert (m.issuer, m.docno) == ("中共吉林市委 吉林市人民政府", "吉市发〔2022〕7号")


@pytest.mark.parametrize("lead, period", [
    (["为统筹推进“十四五”时期法治内蒙古建设各项工作,结合自治区实际,制定本方案。"], (2021, 2025)),
    (["2022年是党的二十大召开的政治之年,全市普法依法治理工作要以深入学习宣传贯彻习近平法治思想为主线。"], (2022, 2022)),
    (["台安县法治政府建设实施方案(征求意见稿)", "(2017-2020年)"], (2017, 2020)),
    (["某县法治政府建设实施方案(2021年至2025年)"], (2021, 2025)),
    (["湘潭市贯彻落实《法治湖南建设规划(2021-2025年)》实施方案"], (None, None)),  # a cited text's period
])
def test_period_from_five_year_plans_annual_openings_and_period_lines(lead, period):
    m = infer_meta(lead, "\n".join(lead))
    assert (m.period_start, m.period_end) == period


@pytest.mark.parametrize("text, region, level", [
    ("全面深化法治浙江建设,推动党政主要负责人切实履行职责,结合我省实际,制定本实施办法。", "浙江省", "provincial"),
    ("全市普法依法治理工作,围绕法治义乌、平安义乌建设,推进民主法治村建设。", "浙江省金华市义乌市", "county"),
    ("根据《省人民政府关于贯彻国务院全面推进依法行政实施纲要的意见》(黔府发〔2004〕29号),结合我省实际,特制定本实施方案。",
     "贵州省", "provincial"),
])
def test_region_from_how_a_plan_names_its_own_place(text, region, level):
    m = infer_meta([text], text)
    assert (m.region, m.level) == (region, level)


def test_township_and_autonomous_prefecture_regions():
    gz = load_gazetteer()
    assert gz.path(gz.lookup("凉山州")[0]) == "四川省凉山彝族自治州"
    m = infer_meta(["民众镇2018年度法治宣传系列活动方案"], "我镇举办法治宣传系列活动。")
    assert (m.region, m.level) == ("民众镇", "township")
    m = infer_meta(["在全镇公民中开展法治宣传教育的第八个五年规划(2021-2025)"], "xx镇根据县委的部署。")
    assert m.region == ""  # 全镇 is a word, not a township's name


def test_a_title_printed_three_times_and_a_copy_sites_tag():
    assert meta_of("度乡普法工作计划度乡普法工作计划度乡普法工作计划\n一、前言\n").title == "度乡普法工作计划"
    assert meta_of("某县行政执法三项制度实施方案(最新)\n为贯彻落实,制定本方案。\n").title == "某县行政执法三项制度实施方案"


def test_implements_skips_titles_cited_as_a_frame_and_keeps_a_namesake_with_its_docno():
    lead = ["2020年是《法治政府建设实施纲要(2015-2020年)》《广东省法治政府建设实施纲要(2016-2020年)》确立的目标的收官之年。"]
    assert implemented_documents(lead, "") == []
    lead = ["根据省政府《关于加快推进法治政府建设的实施意见》(晋政发〔2015〕4号),结合我县实际,制定本实施意见。"]
    assert implemented_documents(lead, "关于加快推进法治政府建设的实施意见") == [
        "关于加快推进法治政府建设的实施意见(晋政发〔2015〕4号)"]


def test_level_from_units_outweighs_a_word_that_only_looks_like_self_reference():
    # seed 000 (Liaoning): '健全市县人民检察院' holds 全市 but is not 'the whole city'; it names 省委 again and again
    text = "健全市县人民检察院法律监督机制。" + "省委依法治省办、省司法厅负责。" * 3
    m = infer_meta([], text)
    assert m.level == "provincial"
