"""The explorer used as a person would: headless chromium against a real `policyhub explore`.

Expected answers come from the rulebook (../shared/rulebook/yuyao_2011.md, shuangshu_shuangping.md)
and the seed's forms, not from what the explorer shows.
"""

from __future__ import annotations

import subprocess
import sys
import time
from urllib.parse import unquote

import yaml

from .conftest import ROOT, screenshot, set_member_copies

MEMBER_FORM = ROOT / "examples" / "yuyao_2011" / "member_pledge.yaml"  # the seed's 附件2, filled in


def evaluate(page) -> None:
    page.locator("#result").evaluate("node => node.innerHTML = ''")
    page.click("#evaluate")
    page.wait_for_selector("#outcome-left")


def verdict(page, which: str = "#outcome-left") -> str:
    return page.locator(f"{which} .verdict, {which} .error-box").first.inner_text()


def test_packs_page_lists_every_pack_with_locality_period_version_and_digest(page, explorer):
    page.goto(explorer.url + "/?lang=en")
    row = page.locator('tr[data-pack="yuyao_2011@1.0.0"]')
    assert "yuyao" in row.inner_text()
    assert "2011-01-01 – 2011-12-31" in row.inner_text()
    assert "余创先办发〔2011〕3号" in row.inner_text()
    assert row.locator(".digest").get_attribute("title").startswith("sha256:")
    # the pack under development is listed beside the bundled one, with both versions
    assert page.locator('tr[data-pack="yuyao_2011@1.1.0"]').count() == 1
    assert "1.0.0, 1.1.0" in row.inner_text()
    screenshot(page, "packs")


def test_a_clause_leads_to_its_rules_and_their_fixture_cases(page, explorer):
    page.goto(explorer.url + "/?lang=zh")
    page.click('tr[data-pack="yuyao_2011@1.0.0"] a.pack-link')
    page.wait_for_selector("#regulation")
    screenshot(page, "pack-yuyao_2011")
    # 三、3 sets the copies (rulebook: yuyao_2011.pledge.copies and .publicity cite 三、3)
    clause = page.locator('section[data-clause="三、3"]')
    assert "一式" in clause.locator(".text").inner_text()  # the regulation's own words
    rules = clause.locator(".rule .rule-id").all_inner_texts()
    assert "yuyao_2011.pledge.copies" in rules and "yuyao_2011.pledge.publicity" in rules
    thresholds = clause.locator(".threshold").all_inner_texts()
    assert any("copies.member" in t and "4" in t for t in thresholds)
    # a closing signature block binds no one: it is marked as cited by no rule
    assert page.locator('section[data-clause="落款"].uncited .uncited-mark').count() == 1
    assert page.locator('section[data-clause="三、3"].uncited').count() == 0
    clause.locator("h4").evaluate("node => node.scrollIntoView()")
    screenshot(page, "clause-san-3")
    # follow a firing case of the copies rule into the workbench
    rule = clause.locator("#rule-yuyao_2011\\.pledge\\.copies")
    if rule.locator("details.cases").get_attribute("open") is None:
        rule.locator("details.cases summary").click()
    link = rule.locator(".firing a.fixture").first
    name = link.inner_text()
    link.click()
    page.wait_for_selector("#case")
    assert name[:20] in page.locator("#origin").inner_text()
    case = yaml.safe_load(page.locator("#case").input_value())
    assert case["locality"] == "yuyao" and "pledge" in case
    evaluate(page)
    fired = page.locator("#outcome-left tr.violation").evaluate_all("rows => rows.map(r => r.dataset.rule)")
    assert "yuyao_2011.pledge.copies" in fired
    # every violation is linked to its clause in the text
    link = page.locator('#outcome-left tr.violation[data-rule="yuyao_2011.pledge.copies"] a.clause-link').first
    assert link.inner_text() == "§三、3"
    link.click()
    page.wait_for_selector('section[data-clause="三、3"]')
    assert unquote(page.url).endswith("/packs/yuyao_2011@1.0.0#clause-三、3")


def test_the_seeds_member_form_pasted_gives_a_decision_with_reasons(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8"))
    evaluate(page)
    # seed_forms.yaml (the rulebook's reading of 附件2): the filled-in member form is compliant
    assert page.locator("#outcome-left .verdict").get_attribute("data-compliant") == "true"
    assert "yuyao_2011@1.0.0" in verdict(page)
    trace = page.locator("#outcome-left tr.trace-entry")
    assert trace.count() >= 10
    screenshot(page, "workbench-member-form")
    # a number across its threshold: 3 copies where 三、3 asks a member pledge in 4
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8").replace("copies: 4", "copies: 3"))
    evaluate(page)
    assert page.locator("#outcome-left .verdict").get_attribute("data-compliant") == "false"
    assert page.locator('#outcome-left tr.violation[data-rule="yuyao_2011.pledge.copies"]').count() == 1
    assert page.locator('#outcome-left tr.trace-entry.fired[data-rule="yuyao_2011.pledge.copies"]').count() == 1
    screenshot(page, "workbench-copies-3")


FARM_TEAM = """\
locality: farm
date: 2009-12-06
ballot:
  subject: {id: TEAM-3, kind: team, role: two_committees_team}
  scheme: team
  rounds:
    - {name: village, cast: 300, tallies: {excellent: 81, qualified: 120, unqualified: 99}}
"""


def test_a_number_across_a_threshold_changes_the_grade_and_consequences(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", FARM_TEAM)
    evaluate(page)
    # shuangshu_shuangping.md: 99 of 300 unqualified is under one third; plurality grade: qualified
    assert page.locator("#outcome-left tr.grade").evaluate_all("r => r.map(x => x.dataset.grade)") == ["qualified"]
    assert page.locator('#outcome-left tr.consequence[data-code="team_adjustment"]').count() == 0
    # 101 of 300 reaches one third: rectify and adjust the team
    page.fill("#case", FARM_TEAM.replace("excellent: 81", "excellent: 79").replace("unqualified: 99", "unqualified: 101"))
    evaluate(page)
    assert page.locator('#outcome-left tr.consequence[data-code="team_adjustment"]').count() == 1
    # more excellent than qualified votes: the plurality grade turns excellent
    page.fill("#case", FARM_TEAM.replace("excellent: 81", "excellent: 141").replace("qualified: 120", "qualified: 60"))
    evaluate(page)
    assert page.locator("#outcome-left tr.grade").evaluate_all("r => r.map(x => x.dataset.grade)") == ["excellent"]
    screenshot(page, "workbench-grade")


def test_an_interpretation_flipped_shows_what_changes(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.select_option("#start-pack", "farm_shuangshu@1.0.0")  # offers that pack's interpretations
    page.wait_for_selector('#interpretation option[value="poor-votes-share"]', state="attached")
    # exactly one third unqualified: team_adjustment under the default reading of 差票较多 (1/3)
    page.fill("#case", FARM_TEAM.replace("excellent: 81", "excellent: 80").replace("unqualified: 99", "unqualified: 100"))
    page.select_option("#interpretation", "poor-votes-share")
    assert page.locator("#compare-interpretation").is_checked()
    page.fill("#value", "1/2")
    evaluate(page)
    page.wait_for_selector("#diff")
    assert page.locator('#outcome-left tr.consequence[data-code="team_adjustment"]').count() == 1
    removed = page.locator("#diff tr.removed").evaluate_all("r => r.map(x => x.dataset.rule)")
    assert "farm_shuangshu.ballot.team-poor-votes" in removed
    assert "team.poor_share = 1/2" in page.locator("#diff h2").inner_text()
    # the permalink opens the same comparison, with the farm pack's interpretations offered
    other = page.context.new_page()
    other.goto(explorer.url + page.locator("#permalink").get_attribute("href"))
    assert other.locator("#interpretation").input_value() == "poor-votes-share"
    assert other.locator("#value").input_value() == "1/2"
    assert "farm_shuangshu.ballot.team-poor-votes" in other.locator("#diff tr.removed").evaluate_all(
        "r => r.map(x => x.dataset.rule)")
    page.locator("#diff").evaluate("node => node.scrollIntoView()")
    screenshot(page, "workbench-interpretation")


def test_two_versions_compared(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8"))
    page.select_option("#other", "yuyao_2011@1.1.0")
    assert page.locator("#compare-version").is_checked()
    evaluate(page)
    page.wait_for_selector("#diff")
    # the dev version asks 5 copies of a member pledge: the form's 4 are now too few
    added = page.locator("#diff tr.added").evaluate_all("r => r.map(x => x.dataset.rule)")
    assert added == ["yuyao_2011.pledge.copies"]
    assert page.locator("#right-verdict").inner_text() == "not compliant"
    page.locator("#diff").evaluate("node => node.scrollIntoView()")
    screenshot(page, "workbench-versions")


def test_an_edit_of_a_pack_under_development_shows_on_reload(page, explorer, dev_pack):
    page.goto(explorer.url + "/packs/yuyao_2011@1.1.0?lang=en")
    clause = page.locator('section[data-clause="三、3"]')
    assert any("copies.member = 5" in t for t in clause.locator(".threshold").all_inner_texts())
    set_member_copies(dev_pack, 6)
    try:
        deadline = time.monotonic() + 20
        while True:
            time.sleep(0.6)  # the watcher looks at most every half second
            page.reload()
            texts = page.locator('section[data-clause="三、3"] .threshold').all_inner_texts()
            if any("copies.member = 6" in t for t in texts):
                break
            assert time.monotonic() < deadline, texts
    finally:
        set_member_copies(dev_pack, 5)


def test_save_as_fixture_gives_a_case_policyhub_test_passes(page, explorer, tmp_path):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8").replace("copies: 4", "copies: 3"))
    page.fill("#fixture-name", "member form with 3 copies")
    evaluate(page)
    shown = yaml.safe_load(page.locator("#fixture-yaml").text_content())
    with page.expect_download() as download:
        page.click("#save-fixture")
    saved = tmp_path / "case.yaml"
    download.value.save_as(saved)
    data = yaml.load(saved.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    [case] = data["cases"]
    assert case["name"] == "member form with 3 copies"
    assert case["expect"]["compliant"] == "false"
    assert "yuyao_2011.pledge.copies" in case["expect"]["violations_include"]
    assert yaml.safe_load(saved.read_text(encoding="utf-8")) == shown
    run = subprocess.run([sys.executable, "-m", "policyhub", "test", str(saved)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed, 0 failed" in run.stdout


def test_a_permalink_carries_the_case(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8").replace("copies: 4", "copies: 2"))
    evaluate(page)
    link = page.locator("#permalink").get_attribute("href")
    assert "case=" in link and page.url.endswith(link)  # pushed into the address bar too
    other = page.context.new_page()
    other.goto(explorer.url + link)
    assert "copies: 2" in other.locator("#case").input_value()
    assert other.locator('#outcome-left tr.violation[data-rule="yuyao_2011.pledge.copies"]').count() == 1


def test_bad_input_names_the_field(page, explorer):
    page.goto(explorer.url + "/workbench?lang=en")
    page.fill("#case", MEMBER_FORM.read_text(encoding="utf-8").replace("copies: 4", "copies: -4"))
    evaluate(page)
    assert "INVALID_ARGUMENT" in verdict(page)
    assert "pledge.copies" in page.locator("#outcome-left code.field").all_inner_texts()


def test_switching_language(page, explorer):
    page.goto(explorer.url + "/packs/yuyao_2011@1.0.0?lang=en")
    assert page.locator("h2#coverage, section#coverage h2").first.inner_text() == "Coverage"
    with page.expect_navigation():
        page.click("#lang-zh")
    assert page.locator("section#coverage h2").inner_text() == "覆盖情况"
    assert page.locator("#pack-title").inner_text() == "关于认真做好2011年度基层党组织和党员公开承诺工作的通知"
    # the choice sticks: the next page is in Chinese too
    page.goto(explorer.url + "/workbench")
    assert page.locator("h1").inner_text() == "案例工作台"


def test_the_form_made_from_the_contract_edits_the_case(page, explorer):
    from policyhub.domain.caseio import load_yaml

    page.goto(explorer.url + "/workbench?lang=en")
    original = MEMBER_FORM.read_text(encoding="utf-8")
    page.fill("#case", original)
    page.click("#form-panel summary")
    page.click("#fill-form")
    copies = page.locator('#proto-form input[name="f:pledge.copies"]')
    assert copies.input_value() == "4"
    assert page.locator('#proto-form input[name="f:pledge.member.name"]').input_value() == "王建国"
    assert page.locator('#proto-form fieldset.pf-list[data-path="pledge.items"] > fieldset.pf-item').count() == 3
    copies.fill("3")
    copies.dispatch_event("change")
    page.wait_for_function("document.getElementById('case').value.includes('copies: 3')")
    # the form spells the same request as the text, with only the copies changed
    want = load_yaml(original)
    want["pledge"]["copies"] = 3
    assert load_yaml(page.locator("#case").input_value()) == want
    evaluate(page)
    assert page.locator('#outcome-left tr.violation[data-rule="yuyao_2011.pledge.copies"]').count() == 1
    # a repeated field grows by one item
    page.click('#proto-form button.pf-add[data-path="pledge.reviews"]')
    page.wait_for_selector('#proto-form fieldset.pf-list[data-path="pledge.reviews"] > fieldset.pf-item:nth-of-type(3)')
    page.locator('#proto-form input[name="f:pledge.reviews.2.level"]').fill("grid")
    page.locator('#proto-form input[name="f:pledge.reviews.2.level"]').dispatch_event("change")
    page.wait_for_function("document.getElementById('case').value.includes('level: grid')")
    assert load_yaml(page.locator("#case").input_value())["pledge"]["reviews"][2] == {"level": "grid"}
    screenshot(page, "workbench-form")
