"""A real `policyhub explore` and Debian's headless chromium driven by Playwright.

Beside the bundled packs the explorer serves a pack under development: a copy of yuyao_2011
as version 1.1.0 for 2012 with a member pledge in 5 copies, in a temporary folder, so a case can
be compared across two versions and an edit of the copy shows on the next page load.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.integration.explorer_process import RunningExplorer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "explorer"
CHROMIUM = os.environ.get("POLICYHUB_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def dev_pack(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("packs") / "yuyao_2011_next"
    shutil.copytree(ROOT / "policy_packs" / "yuyao_2011", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "fixtures"))
    manifest = (target / "pack.yaml").read_text(encoding="utf-8")
    manifest = manifest.replace("version: 1.0.0", "version: 1.1.0")
    manifest = manifest.replace("effective_from: 2011-01-01", "effective_from: 2012-01-01")
    manifest = manifest.replace("effective_to: 2011-12-31", "effective_to: 2012-12-31")
    (target / "pack.yaml").write_text(manifest, encoding="utf-8")
    set_member_copies(target, 5)
    return target


def set_member_copies(pack_dir: Path, copies: int) -> None:
    path = pack_dir / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    # written plain (`member: 4`) or with its source (`member: {value: 4, clause: 三、3, …}`)
    text, count = re.subn(r"(\n  member: (?:\{value: )?)\d+(?=[,\n])", rf"\g<1>{copies}", text, count=1)
    assert count == 1, "copies.member not found in thresholds.yaml"
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def explorer(dev_pack):
    running = RunningExplorer("--pack-path", str(dev_pack))
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, explorer):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True,
                                  locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
