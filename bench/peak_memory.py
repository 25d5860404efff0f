#!/usr/bin/env python3
"""Run a command and print "seconds peak_kib": its wall time, and the highest memory it and
all its descendants (worker processes included) held at once, sampled every 100 ms from
/proc (Linux). Memory is the proportional set size: a page that several processes share
(the program, what worker processes inherit) counts once in all, split between them.

usage: peak_memory.py COMMAND [ARG...]
"""
import os
import subprocess
import sys
import time

def children_of(pid: int) -> list[int]:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids.extend(int(k) for k in f.read().split())
    except OSError:
        pass
    return kids


def pss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def tree_kib(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += pss_kib(pid)
        except OSError:
            continue
        todo.extend(children_of(pid))
    return total


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) > 1 else 2
    start = time.perf_counter()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_kib(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(f"failed ({proc.returncode}): {' '.join(sys.argv[1:])}", file=sys.stderr)
        return 1
    print(f"{seconds:.2f} {peak}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
