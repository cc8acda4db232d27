"""Every bundled pack loads, and every rule it lists can be cited and read in both languages."""

from pathlib import Path

from click.testing import CliRunner

from policyhub.cli import main

PACKS_DIR = Path(__file__).resolve().parent.parent / "policy_packs"
BUNDLED = sorted(p.name for p in PACKS_DIR.iterdir() if (p / "pack.yaml").is_file())


def test_every_bundled_pack_is_installed_and_loads(registry):
    assert sorted({p.id for p in registry.packs()}) == BUNDLED


def test_pack_show_lists_every_rule_with_its_citation(registry):
    for pack in registry.packs():
        shown = CliRunner().invoke(main, ["pack", "show", pack.ref])
        assert shown.exit_code == 0, shown.output
        for rule in pack.rules:
            document = rule.document or pack.document
            assert document and rule.clause
            assert f"{rule.id}" in shown.output and f"[{document} {rule.clause}]" in shown.output
            if rule.severity:
                assert rule.message["zh"] and rule.message["en"]


def test_interpretations_name_real_settings(registry):
    for pack in registry.packs():
        assert pack.interpretations, f"{pack.ref} lists no interpretation"
        for item in pack.interpretations:
            assert item.setting in pack.thresholds
