"""A pytest plugin: `pytest policy_packs/` collects every pack's fixture cases as test items.

Registered through the `pytest11` entry point, so it is active wherever policyhub is installed,
a pack author's own repository included. A case file is collected when it lies in a `fixtures/`
directory beside a `pack.yaml`; each case is one item (`<pack>/fixtures/<file>::<case name>`),
judged in-process by the same code as `policyhub test`, and a failure shows expected against
actual. The packs are the installed ones plus those whose fixtures were collected; a collected
pack wins over an installed one of the same id@version, so an uninstalled or edited pack is
tested as it is on disk.

Nothing is imported from policyhub until a case runs: other test suites pay only for a path check
per collected file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CASE_SUFFIXES = (".yaml", ".yml", ".json")


def is_case_file(path: Path) -> bool:
    return path.suffix in CASE_SUFFIXES and path.parent.name == "fixtures" and (path.parent.parent / "pack.yaml").is_file()


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFailed(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__(result.problems)
        self.result = result


class PackDoesNotLoad(Exception):
    pass


class _Packs:
    """The session's registry, built when the first case runs (all files are collected by then)."""

    def __init__(self) -> None:
        self.directories: set[Path] = set()
        self._built: tuple[Any, Any, dict[Path, list[str]]] | None = None
        self._error: Exception | None = None

    def get(self) -> tuple[Any, Any, dict[Path, list[str]]]:
        if self._error is not None:  # one failure to build is every case's: do not rebuild per case
            raise self._error
        try:
            return self._build()
        except Exception as exc:
            self._error = exc
            raise

    def _build(self) -> tuple[Any, Any, dict[Path, list[str]]]:
        if self._built is None:
            from ..telemetry import logs
            from ..domain.errors import PackLoadError
            from ..evaluation.evaluator import Evaluator
            from ..packs.pack import load_pack
            from ..packs.registry import PackRegistry

            logs.configure("warning")  # as the CLI: no decision line per case
            broken: dict[Path, list[str]] = {}
            local = {}
            for directory in sorted(self.directories):
                try:
                    pack = load_pack(directory)
                except PackLoadError as exc:
                    broken[directory] = exc.findings
                    continue
                local[pack.ref] = pack
            installed = [p for p in PackRegistry.discover().packs()
                         if p.ref not in local and p.directory not in self.directories]
            registry = PackRegistry(installed + list(local.values()))
            self._built = (registry, Evaluator(registry), broken)
        return self._built


_PACKS = pytest.StashKey[_Packs]()


def _packs(config: pytest.Config) -> _Packs:
    if _PACKS not in config.stash:
        config.stash[_PACKS] = _Packs()
    return config.stash[_PACKS]


class CaseFile(pytest.File):
    def collect(self):
        from .fixtures import load_cases

        pack_directory = self.path.parent.parent.resolve()
        _packs(self.config).directories.add(pack_directory)
        for case in load_cases(self.path):
            yield CaseItem.from_parent(self, name=case.name, case=case, pack_directory=pack_directory)


class CaseItem(pytest.Item):
    def __init__(self, *, case: Any, pack_directory: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.pack_directory = pack_directory

    def runtest(self) -> None:
        from .fixtures import judge, outcome_in_process, rules_of
        from .testing import CaseResult

        registry, evaluator, broken = _packs(self.config).get()
        if self.pack_directory in broken:
            raise PackDoesNotLoad("\n".join(broken[self.pack_directory]))
        if self.case.settings:  # decided by the pack read with the case's settings
            from .fixtures import Variants

            evaluator = Variants(registry).evaluator(self.case) or evaluator
        outcome = outcome_in_process(evaluator, self.case.request)
        problems = judge(self.case, outcome, rules_of(registry, outcome))
        if problems:
            raise CaseFailed(CaseResult(self.case, outcome, problems))

    def repr_failure(self, excinfo, style=None):
        from .testing import describe_failure

        if isinstance(excinfo.value, CaseFailed):
            return "\n".join([f"{self.case.source}"] + describe_failure(excinfo.value.result))
        if isinstance(excinfo.value, PackDoesNotLoad):
            return f"the pack in {self.pack_directory} does not load:\n{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.pack_directory.name}: {self.name}"
