"""The README's example runs as written against a live server."""

import contextlib
import io
import re

from live_server import REPO


def test_the_readme_example_runs(server):
    readme = (REPO / "clients" / "python" / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) < 20
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code.replace("127.0.0.1:50051", server.target), "README.md", "exec"), {})
    lines = output.getvalue().splitlines()
    assert lines[0].startswith("False ") and "yuyao_2011.pledge.copies" in lines[0]  # no copies filed
    assert lines[1] == "['excellent']"
    assert lines[2] == "0 False" and lines[3] == "1 True" and "pledge.copies" in lines[4]
    assert "'date'" in lines[5]
