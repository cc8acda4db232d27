"""`policyhub pack new`: a new pack whose only findings are its TODOs, and which passes once they are resolved."""

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from policyhub.cli import main
from policyhub.packs.pack import load_pack
from policyhub.authoring.packcheck import check


def new_pack(tmp_path, *args):
    result = CliRunner().invoke(main, ["pack", "new", *args])
    assert result.exit_code == 0, result.output
    return result


def resolve_todos(directory: Path) -> None:
    """What an author does, done mechanically: drop TODO comments, keep the text after a TODO mark."""
    for path in directory.rglob("*"):
        if not path.is_file():
            continue
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if "TODO" in line:
                if line.lstrip().startswith("#"):
                    continue
                line = re.sub(r"\s*# TODO.*$", "", line.rstrip("\n")) + "\n"
                line = line.replace('clause="TODO"', 'clause="一"').replace('clause: "TODO"', 'clause: "一"')
                line = line.replace('"""TODO: ', '"""').replace("TODO 三、2", "一").replace("TODO ", "")
            lines.append(line)
        path.write_text("".join(lines), encoding="utf-8")


def files_of(findings, directory):
    return {Path(line.split(":", 1)[0]).relative_to(directory).as_posix() for line in findings}


def run_fixtures(directory):
    return CliRunner().invoke(main, ["test", str(directory / "fixtures"), "--pack-path", str(directory),
                                     "--min-coverage", "100", "--min-threshold-coverage", "100"])


def test_a_county_pack_from_yuyao_2011(tmp_path):
    directory = tmp_path / "cixi_2011"
    new_pack(tmp_path, "cixi", "--from", "yuyao_2011", "--dir", str(directory))
    pack = load_pack(directory)
    assert (pack.id, pack.locality, pack.version) == ("cixi_2011", "cixi", "1.0.0")
    source = load_pack(Path(__file__).resolve().parent.parent / "policy_packs" / "yuyao_2011")
    assert sorted(r.id for r in pack.rules) == sorted(r.id.replace("yuyao_2011.", "cixi_2011.") for r in source.rules)
    assert pack.thresholds_data == source.thresholds_data

    findings = check([directory], installed=False)
    assert findings and all("TODO" in line for line in findings), "\n".join(findings)
    assert files_of(findings, directory) == {
        "pack.yaml", "thresholds.yaml", "rules.yaml", "rules/ballot.py", "rules/log.py", "rules/pledge.py",
        "fixtures/ballot.yaml", "fixtures/fidelity.yaml", "fixtures/log.yaml", "fixtures/pledge.yaml",
        "fixtures/seed_forms.yaml", "regulation.md",
    }
    assert (directory / "regulation.md").read_text(encoding="utf-8").startswith("---\npack: cixi_2011\n")

    resolve_todos(directory)
    assert check([directory]) == []  # beside the installed packs: its locality overlaps none of theirs
    result = run_fixtures(directory)
    assert result.exit_code == 0, result.output
    assert "coverage cixi_2011@1.0.0: 16/16 rules" in result.output


def test_a_pack_from_nothing(tmp_path):
    directory = tmp_path / "wenzhou_2026"
    new_pack(tmp_path, "wenzhou", "--id", "wenzhou_2026", "--dir", str(directory))
    findings = check([directory], installed=False)
    assert findings and all("TODO" in line for line in findings), "\n".join(findings)
    assert f"{directory}/regulation.md:3: title: TODO 文件标题" in findings
    assert f"{directory}/rules.yaml:6: clause: \"TODO\"  # the clause of the document this rule comes from, " \
           "e.g. 三、2" in findings
    assert not (directory / "rules").exists()  # a pack of data: no Python
    resolve_todos(directory)
    assert check([directory], installed=False) == []
    result = run_fixtures(directory)
    assert result.exit_code == 0, result.output


def test_the_new_pack_installs_and_is_found_by_its_entry_point(tmp_path):
    directory = tmp_path / "wenzhou_2026"
    new_pack(tmp_path, "wenzhou", "--id", "wenzhou_2026", "--dir", str(directory))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(directory)], check=True, capture_output=True)
    found = subprocess.run(
        [sys.executable, "-c", "from policyhub.packs.registry import PackRegistry; "
                               "print(*(p.ref + ' ' + str(p.directory) for p in PackRegistry.discover().packs('wenzhou')))"],
        env={**os.environ, "PYTHONPATH": str(site)}, check=True, capture_output=True, text=True,
    ).stdout.split()
    assert found == ["wenzhou_2026@1.0.0", str(site / "policyhub_pack_wenzhou_2026")]
    assert (site / "policyhub_pack_wenzhou_2026" / "fixtures" / "pledge.yaml").is_file()
    assert (site / "policyhub_pack_wenzhou_2026" / "regulation.md").is_file()


def test_what_pack_new_refuses(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "a file").write_text("x")
    cases = {
        ("Cixi",): "pack id 'Cixi_2011' must be lower_snake_case",
        ("cixi", "--dir", str(tmp_path / "taken")): "exists and is not an empty directory",
        ("yuyao", "--from", "yuyao_2011", "--id", "yuyao_2011"): "needs an id of its own",
        ("cixi", "--from", "no_such_pack"): "no pack 'no_such_pack'",
    }
    for args, message in cases.items():
        result = CliRunner().invoke(main, ["pack", "new", *args, *([] if "--dir" in args else ["--dir", str(tmp_path / "x")])])
        if args == ("Cixi",):
            result = CliRunner().invoke(main, ["pack", "new", "Cixi", "--id", "Cixi_2011", "--dir", str(tmp_path / "x")])
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    assert not (tmp_path / "x").exists()


def test_a_pack_from_one_written_as_data(tmp_path):
    """--from a pack whose rules are data: rules.yaml comes along renamed, its measurements with it."""
    directory = tmp_path / "xiang_2010"
    new_pack(tmp_path, "xiang", "--from", "town_shuangshu_2010", "--id", "xiang_2010", "--dir", str(directory))
    rules = (directory / "rules.yaml").read_text(encoding="utf-8")
    assert rules.startswith("# TODO") and "id: xiang_2010.ballot.grade" in rules
    assert "town_shuangshu_2010" not in rules.split("\n", 1)[1]  # only the TODO names the source
    assert "uses: [core.ballot]" in (directory / "pack.yaml").read_text(encoding="utf-8")
    resolve_todos(directory)
    assert check([directory], installed=False) == []
    pack = load_pack(directory)
    assert pack.rulesets["ballot"] and all(r.spec is not None for r in pack.rules)
    result = run_fixtures(directory)
    assert result.exit_code == 0, result.output
