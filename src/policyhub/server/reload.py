"""Hot reload: load the pack set again beside the one in service, check it, swap it in.

A candidate set is accepted only if every pack loads (and, with a lock file, matches its pinned
digests) and every pack's own fixtures pass against it. Otherwise it is freed, the refusal is
logged with its findings, and the set in service keeps serving untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import structlog

from ..domain.errors import PackLoadError
from ..evaluation.evaluator import Evaluator
from ..packs.integrity import PackLock
from ..packs.registry import PackRegistry

log = structlog.get_logger("policyhub.reload")


@dataclass(frozen=True)
class PackSource:
    """Where the packs come from: installed distributions, extra directories, a lock file."""

    pack_paths: Sequence[str] = ()
    installed: bool = True
    lock_file: str | None = None
    origins: Sequence[tuple[str, str]] = ()  # (copy, original) of frozen pack directories

    def lock(self) -> PackLock | None:
        return PackLock.read(self.lock_file) if self.lock_file else None

    def load(self, strict: bool = False) -> PackRegistry:
        """The packs as they are on disk now; `strict` refuses the set if any pack fails."""
        try:
            lock = self.lock()
        except ValueError as exc:
            raise PackLoadError(str(self.lock_file), [str(exc)]) from None
        return PackRegistry.discover(self.pack_paths, installed=self.installed, lock=lock, strict=strict,
                                     origins=dict(self.origins))


@dataclass
class ReloadResult:
    accepted: bool
    generation: int
    packs: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def fixture_failures(registry: PackRegistry) -> list[str]:
    """One line per fixture case of the registry's packs that fails against the registry."""
    from ..authoring import testing
    from ..authoring.fixtures import outcome_in_process

    checker = Evaluator(registry, observed=False)  # the check is not traffic: no logs, no metrics
    paths = [p.directory / "fixtures" for p in registry.packs() if (p.directory / "fixtures").is_dir()]
    results = testing.run_cases(paths, registry, lambda request: outcome_in_process(checker, request))
    return [f"{r.case.source}: {'; '.join(r.problems)}" for r in results if not r.passed]


def reload_packs(evaluator: Evaluator, source: PackSource) -> ReloadResult:
    """Load, check and swap in the pack set; on any finding keep the one in service."""
    try:
        candidate = source.load(strict=True)
    except PackLoadError as exc:
        return _refused(evaluator, exc.findings)
    try:
        findings = fixture_failures(candidate)
    except Exception as exc:  # a malformed case file is a finding too
        findings = [f"fixtures: {type(exc).__name__}: {exc}"]
    if findings:
        candidate.close()
        return _refused(evaluator, findings)
    generation = evaluator.swap(candidate)
    refs = [p.ref for p in candidate.packs()]
    log.info("reload_accepted", generation=generation, packs=refs)
    return ReloadResult(True, generation, refs)


def _refused(evaluator: Evaluator, findings: list[str]) -> ReloadResult:
    log.error("reload_refused", generation=evaluator.live.generation, findings=findings)
    refs = [p.ref for p in evaluator.registry.packs()]
    return ReloadResult(False, evaluator.live.generation, refs, findings)
