"""Reload semantics in one process: in-flight work keeps its generation; retired packs are freed."""

import pytest

from policyhub.evaluation.evaluator import Evaluator
from policyhub.packs.registry import PackRegistry
from tests.conftest import DEMO_PACK, demo_request


def fresh_registry() -> PackRegistry:
    return PackRegistry.discover([DEMO_PACK], installed=False)


def test_a_request_in_flight_keeps_the_packs_it_started_with():
    evaluator = Evaluator(fresh_registry())
    with evaluator.live.use() as in_flight:
        old_pack = in_flight.get("demo_2020")
        assert evaluator.swap(fresh_registry()) == 2
        assert evaluator.registry is not in_flight
        # the swap happened mid-request: the old ruleset still answers
        assert old_pack.ruleset.run([{"type": "copies", "copies": 3, "required": 4}])
    with pytest.raises(RuntimeError, match="closed"):  # last user gone: freed
        old_pack.ruleset.run([])
    assert not evaluator.evaluate(demo_request(pledge={"copies": 3})).compliant


def test_a_retired_generation_with_nothing_in_flight_is_freed_at_once():
    evaluator = Evaluator(fresh_registry())
    old_pack = evaluator.registry.get("demo_2020")
    evaluator.swap(fresh_registry())
    with pytest.raises(RuntimeError, match="closed"):
        old_pack.ruleset.run([])


def test_swapped_packs_leave_no_modules_behind():
    import sys

    def private_modules() -> set[str]:
        return {name for name in sys.modules if name.startswith("_policyhub_pack_demo_2020_")}

    before = private_modules()  # other tests' packs, still alive
    evaluator = Evaluator(fresh_registry())
    for _ in range(5):
        evaluator.swap(fresh_registry())
    package = evaluator.registry.get("demo_2020").private_package
    assert private_modules() - before == {package, package + ".all"}
