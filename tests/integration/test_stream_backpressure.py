"""EvaluateStream under a client that sends as fast as it can: answers in order, one per message,
and the worker's memory bounded by back-pressure, not by the length of the stream.

The server reads a stream's next message only when it has answered the one before, and an answer
waits while the client is not reading (HTTP/2 flow control); so a client that pushes faster than
the worker evaluates is held up in its own send, and what the worker holds stays a few messages.
Each message here carries ~4.5 KB (a long `courtyard`), so a server that read ahead without bound
would hold ~45 MB per 10,000 messages and fail the bound below.

POLICYHUB_STREAM_MESSAGES sets the length: 10,000 in CI (about 10 s of one worker),
`make stream-long` runs 100,000 (a few minutes, outside CI).
"""

import os
import time
from pathlib import Path

import grpc

from policyhub.domain.caseio import request_from_dict
from policyhub.v1 import policyhub_pb2_grpc

from .conftest import DEMO_PACK, RunningServer

MESSAGES = int(os.environ.get("POLICYHUB_STREAM_MESSAGES", "10000"))
# Growth allowed over the run, after the first 1,000 answers (allocator arenas, gRPC's buffers).
# Ten times below what reading ahead the whole CI stream would take.
RSS_GROWTH_MAX_KIB = 12 * 1024
COURTYARD = "院" * 1500


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def requests(sent: list[int]):
    for n in range(MESSAGES):
        sent[0] = n + 1
        yield request_from_dict({"locality": "demo", "date": "2020-06-01", "request_id": str(n),
                                 "pledge": {"copies": n % 6, "courtyard": COURTYARD}})


def test_a_long_fast_stream_is_answered_in_order_in_bounded_memory(grpc_server):
    server = RunningServer("--workers", "1", "--pack-path", str(DEMO_PACK), "--decision-store", "none")
    try:
        (worker,) = [event["pid"] for event in server.events("worker_serving")]
        sent = [0]
        samples: list[int] = []
        with grpc.insecure_channel(server.target) as channel:
            answers = policyhub_pb2_grpc.PolicyHubStub(channel).EvaluateStream(requests(sent), timeout=600)
            first = next(answers)
            # The client stops reading for a while: the worker must stop reading too, not buffer.
            time.sleep(1.0)
            held = sent[0]
            assert held < MESSAGES // 2, f"the client sent {held} messages while nothing was read"
            assert (first.index, first.request_id) == (0, "0")
            expected = 1
            for result in answers:
                assert result.index == expected and result.request_id == str(expected), "answers out of order"
                assert result.WhichOneof("outcome") == "decision", result.error.message
                assert result.decision.compliant == (expected % 6 == 4)
                expected += 1
                if expected % 1000 == 0:
                    samples.append(rss_kib(worker))
        assert expected == MESSAGES
        growth = max(samples) - samples[0]
        print(f"held {held} messages unread; worker RSS KiB every 1,000 answers: {samples}")
        assert growth < RSS_GROWTH_MAX_KIB, f"worker RSS grew {growth} KiB over the stream: {samples}"
    finally:
        assert server.stop() == 0
