"""A small pack written into a test's temporary directory: the manifest every rule-data test shares
and the files its pack is made of (pack.yaml, thresholds.yaml, rules.yaml, any Python measures)."""

from pathlib import Path


def demo_manifest(pack_id: str, uses: tuple[str, ...] = ()) -> str:
    """pack.yaml of a pack in force for the locality `demo` from 2011."""
    text = (f"id: {pack_id}\n"
            "version: 1.0.0\n"
            "title: {zh: 示例, en: Demo}\n"
            "locality: demo\n"
            "issuing_body: {zh: 示例党委, en: Demo committee}\n"
            "source_seed: none.txt\n"
            "effective_from: 2011-01-01\n")
    return text + (f"uses: [{', '.join(uses)}]\n" if uses else "")


def write_demo_pack(directory: Path, manifest: str, thresholds: str, rules: str,
                    measures: dict[str, str] | None = None) -> Path:
    """The pack's files in `directory`; `measures`: file name -> Python source under rules/."""
    directory.mkdir(parents=True)
    (directory / "pack.yaml").write_text(manifest, encoding="utf-8")
    (directory / "thresholds.yaml").write_text(thresholds, encoding="utf-8")
    (directory / "rules.yaml").write_text(rules, encoding="utf-8")
    if measures:
        (directory / "rules").mkdir()
        for name, source in measures.items():
            (directory / "rules" / name).write_text(source, encoding="utf-8")
    return directory
