"""What the benchmark scripts share besides tests.harness: percentiles and memory from /proc."""

from __future__ import annotations

from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak RSS) and Pss of ``pid`` in MB, from /proc (Linux only; keys missing
    where /proc cannot tell)."""
    found: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                found[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    try:  # PSS shares pages between processes fairly: the honest per-process figure after fork
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                found["Pss"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return found


def rss_mb(pid: int) -> float:
    """Current RSS of ``pid`` in MB (NaN when /proc cannot tell)."""
    return memory_mb(pid).get("VmRSS", float("nan"))


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux; empty where /proc cannot tell)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def serving_pids(pid: int) -> list[int]:
    """The processes that serve requests: gunicorn's workers under the arbiter ``pid``."""
    return children(pid) or [pid]


def worker_rss_mb(pid: int) -> float:
    """RSS of the largest serving process under ``pid``, in MB (what a worker costs)."""
    return max(rss_mb(worker) for worker in serving_pids(pid))
