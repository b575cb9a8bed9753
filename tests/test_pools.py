"""A pool's workers end when the process that made the pool is killed (cxinsight.pools).

Before, a `cxinsight report` killed with SIGKILL left its pool workers waiting for work for ever
(found after the killed-run tests of tests/robustness/test_faults.py: a forked worker of a large
council's analysis holds gigabytes)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from cxinsight import pools

# Makes a pool of two workers, keeps one busy for a minute, says which processes it started, and
# waits to be killed.
SCRIPT = textwrap.dedent("""
    import os, sys, time
    from cxinsight.pools import process_pool

    pool = process_pool(2, None if sys.argv[1] == "default" else sys.argv[1])
    assert pool.submit(pow, 3, 2).result() == 9
    pool.submit(time.sleep, 60)
    time.sleep(0.5)
    print("ready", flush=True)
    time.sleep(120)
""")


@pytest.mark.parametrize("context", ["fork", "spawn", "default"])
def test_the_workers_exit_when_the_process_that_made_the_pool_is_killed(context):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, context], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        workers = psutil.Process(proc.pid).children(recursive=True)
        assert len(workers) >= 2  # the two workers (and, with spawn, the resource tracker)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs(workers, timeout=pools.POLL_SECONDS * 8)
        assert not alive, f"{len(alive)} of {len(workers)} workers outlived the killed process ({context})"
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in psutil.Process().children(recursive=True):
            if p.pid != proc.pid and "multiprocessing" in " ".join(p.cmdline()) and p.ppid() == 1:
                p.kill()


def test_a_worker_whose_parent_is_gone_runs_its_clean_ups_first(tmp_path):
    """A notebook worker registers the stopping of its kernel (cxinsight.report.run._warm_worker):
    the clean-up runs before the orphaned worker exits."""
    marker = tmp_path / "cleaned"
    script = textwrap.dedent(f"""
        import time
        from cxinsight import pools

        def register():  # the pool's initializer: a spawned worker imports it from this file
            pools.on_orphaned(lambda: open({str(marker)!r}, "w").write("done"))

        if __name__ == "__main__":
            pool = pools.process_pool(1, "spawn", initializer=register)
            assert pool.submit(pow, 2, 3).result() == 8
            print("ready", flush=True)
            time.sleep(120)
    """)
    module = tmp_path / "orphan_script.py"
    module.write_text(script, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(module)], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "ready"
        workers = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        psutil.wait_procs(workers, timeout=pools.POLL_SECONDS * 8)
        deadline = time.monotonic() + 5
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.read_text() == "done"
    finally:
        if proc.poll() is None:
            proc.kill()
