"""LoopCommits: the grpc.aio worker's group commit, on a real event loop with a writer thread."""

from __future__ import annotations

import asyncio
import threading

from policyhub.store.base import Outcome, Pending, StoreUnavailable
from policyhub.store.recorder import LoopCommits


def run(main):
    """asyncio.run(main()) on a thread of its own: a loop may be running on this one (a browser test's)."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(main())))
    thread.start()
    thread.join(60)
    assert result, "the loop did not finish"
    return result[0]


def test_calls_in_flight_share_commits_off_the_loop_each_answered_with_its_own_outcomes():
    commits: list[list[int]] = []
    threads: set[str] = set()
    gate = threading.Event()

    def append(pending):
        threads.add(threading.current_thread().name)
        commits.append([p.row["n"] for p in pending])
        if len(commits) == 1:
            gate.wait(10)  # the first commit is slow: the other calls queue behind it
        return [Outcome("recorded", p.row) for p in pending]

    async def main():
        group = LoopCommits(append)
        first = asyncio.ensure_future(group.submit([Pending({"n": 0})]))
        while not commits:  # the loop is free while the writer commits: this coroutine runs
            await asyncio.sleep(0)
        # a call with two records (a batch's: one unit) and five unary calls arrive meanwhile
        rest = [asyncio.ensure_future(group.submit([Pending({"n": 1}), Pending({"n": 2})]))]
        rest += [asyncio.ensure_future(group.submit([Pending({"n": n})])) for n in range(3, 8)]
        await asyncio.sleep(0)
        gate.set()
        answered = [await first] + [await call for call in rest]
        group.close()
        return answered, threading.current_thread().name

    answered, loop_thread = run(main)
    assert [[o.row["n"] for o in outcomes] for outcomes in answered] == [[0], [1, 2], [3], [4], [5], [6], [7]]
    assert commits == [[0], [1, 2, 3, 4, 5, 6, 7]]  # everything queued during the first commit went as one
    assert threads and loop_thread not in threads


def test_a_failed_commit_fails_every_call_of_its_group_and_the_next_commit_runs():
    commits: list[list[int]] = []
    gate = threading.Event()

    def append(pending):
        commits.append([p.row["n"] for p in pending])
        if len(commits) == 1:
            gate.wait(10)
            return [Outcome("recorded", p.row) for p in pending]
        if len(commits) == 2:
            raise StoreUnavailable("decision store unavailable: test")
        return [Outcome("recorded", p.row) for p in pending]

    async def main():
        group = LoopCommits(append)
        first = asyncio.ensure_future(group.submit([Pending({"n": 0})]))
        while not commits:
            await asyncio.sleep(0)
        failing = [asyncio.ensure_future(group.submit([Pending({"n": n})])) for n in (1, 2, 3)]
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(first, *failing, return_exceptions=True)
        after = await group.submit([Pending({"n": 9})])
        group.close()
        return results, after

    results, after = run(main)
    assert [o.row["n"] for o in results[0]] == [0]
    assert commits[1] == [1, 2, 3] and all(isinstance(r, StoreUnavailable) for r in results[1:])
    assert [o.row["n"] for o in after] == [9]
