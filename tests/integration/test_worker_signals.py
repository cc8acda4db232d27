"""A worker's main thread runs its SIGTERM handler even when the signal lands on another thread.

CI once saw a worker keep answering health SERVING for 10 s after SIGTERM, mid-batch. A process's
signal can be taken by any of its threads that does not block it; CPython then only flags it for
the main thread, and a main thread asleep in an untimed `Event.wait()` never looks. Here a thread
of the child signals its own process, so the signal usually lands there, while three threads keep
the interpreter busy as evaluations do; every signal must reach the handler. With a bare
`Event.wait()` the child misses one within the first 50 (measured: at 4, 11, 20, 24, 26 and 44).
"""

import subprocess
import sys

CHILD = """
import os, signal, sys, threading, time
from policyhub.server.worker import wait_handling_signals

SIGNALS = 100
handled, stopped, outcome = [], threading.Event(), []

def busy():  # an evaluation's worth of bytecode, forever
    while True:
        sum(range(10_000))

def signal_self():
    for n in range(SIGNALS):
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while len(handled) == n:
            if time.monotonic() > deadline:
                outcome.append(f"signal {n + 1} never reached the handler")
                stopped.set()
                return
            time.sleep(0.001)
    stopped.set()

signal.signal(signal.SIGTERM, lambda signum, frame: handled.append(signum))
for _ in range(3):
    threading.Thread(target=busy, daemon=True).start()
threading.Thread(target=signal_self, daemon=True).start()
wait_handling_signals(stopped)
print(outcome[0] if outcome else f"handled {len(handled)}", flush=True)
"""


def test_the_worker_wait_runs_the_sigterm_handler_taken_by_another_thread():
    child = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "handled 100"
