"""The explorer page, opened as a reader would: in a real headless browser (Debian's Chromium
driven by Selenium through chromedriver), from a file, offline."""
import shutil

import pytest

from alignment.cascade import analytics
from alignment.report.explorer import explorer_html

from .test_cascade import _alignments, _coverage, mini  # noqa: F401

BROWSER, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def page(mini, tmp_path_factory):  # noqa: F811
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert BROWSER and DRIVER, "the explorer test needs chromium and chromedriver (make test installs them as root)"
    G = mini.copy()
    G.edges["N:1", "P:1"]["reviewed"] = True  # a reviewer confirmed this link
    html = explorer_html(G, analytics.gaps(mini, _coverage()), analytics.innovations(mini, _alignments()), "mini")
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    path.write_text(html, encoding="utf-8")
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={path.parent / 'profile'}", "--window-size=1200,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.get(path.as_uri())
    yield driver
    driver.quit()


def test_the_page_shows_the_plans_and_measures_and_logs_no_error(page):
    from selenium.webdriver.common.by import By

    plans = {e.get_attribute("data-id") for e in page.find_elements(By.CSS_SELECTOR, "rect.box")}
    measures = {e.get_attribute("data-id") for e in page.find_elements(By.CSS_SELECTOR, "circle.m")}
    assert plans == {"plan:N", "plan:P", "plan:C"}
    assert {"N:1", "P:1", "C:1", "C:2"} <= measures
    assert not [e for e in page.get_log("browser") if e["level"] == "SEVERE"]
    assert "P:3" in page.find_element(By.ID, "innovations").text


def test_a_click_shows_the_links_with_evidence_and_search_finds_text(page):
    from selenium.webdriver.common.by import By

    page.execute_script("document.querySelector(\"circle[data-id='P:1']\").dispatchEvent(new MouseEvent('click'))")
    info = page.find_element(By.ID, "info").text
    assert "P:1" in info and "↑ N:1" in info and "↓ C:1" in info and "shared: 依法决策" in info
    assert "req:1" in info
    box = page.find_element(By.ID, "q")
    box.send_keys("法律顾问")
    assert page.find_element(By.ID, "count").text.startswith("1 ")
    assert page.find_elements(By.CSS_SELECTOR, "circle.m.hit")[0].get_attribute("data-id") == "P:2"
    assert not [e for e in page.get_log("browser") if e["level"] == "SEVERE"]


def test_a_link_a_reviewer_confirmed_is_drawn_dark_and_marked(page):
    from selenium.webdriver.common.by import By

    def click(measure):
        page.execute_script(f"document.querySelector(\"circle[data-id='{measure}']\").dispatchEvent(new MouseEvent('click'))")

    click("N:3")  # no link of its own: every line drawn as it is unselected
    confirmed = page.find_elements(By.CSS_SELECTOR, "line.l.reviewed")
    assert len(confirmed) == 1 and confirmed[0].value_of_css_property("stroke") == "rgb(0, 68, 107)"
    click("P:1")
    links = {li.text.split(" · ")[0]: li.text for li in page.find_elements(By.CSS_SELECTOR, "#info li")}
    assert "✔" in links["↑ N:1"] and "✔" not in links["↓ C:1"]
    assert "confirmed by a reviewer" in page.find_element(By.ID, "legend").text
