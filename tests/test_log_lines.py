"""Decision log lines held for a batch: every line written once, in order, whole, in few writes.

A child process configures the real JSON logging on its own stderr (a pipe read here), so
what is checked is what a log collector would read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent('''
    import io, os, sys, threading
    from policyhub.telemetry import logs
    writes = []

    class CountingStderr(io.RawIOBase):  # fd 2, with each write's size noted
        def writable(self):
            return True
        def write(self, data):
            writes.append(len(data))
            return os.write(2, data)

    sys.stderr = io.TextIOWrapper(io.BufferedWriter(CountingStderr()), write_through=True)
    logs.configure("info")
    with logs.held_lines():
        for i in range(300):
            logs.info_line("decision", {"n": i, "pad": "x" * 200})
        # another thread, not holding, writes at once; this one's lines are still held
        other = threading.Thread(target=logs.info_line, args=("other", {"n": -1}))
        other.start(); other.join()
        print(len(writes), flush=True)
    logs.info_line("after", {"n": 300})
    print(max(writes[1:-1]), len(writes), flush=True)
''')


def test_held_lines_are_written_whole_in_order_after_the_block(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    lines = [json.loads(line) for line in done.stderr.decode().splitlines()]
    assert [line["event"] for line in lines] == ["other"] + ["decision"] * 300 + ["after"]
    assert [line["n"] for line in lines] == [-1, *range(301)]
    writes_while_held, = map(int, done.stdout.split()[:1])
    largest_batch_write, all_writes = map(int, done.stdout.split()[1:])
    assert writes_while_held == 1  # only the other thread's line had been written
    assert largest_batch_write <= 4096  # PIPE_BUF: each write reaches a pipe whole
    assert all_writes < 300 // 10  # about 16 lines of ~250 bytes per write, not one write each
