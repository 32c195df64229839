"""The CPU and memory limits this process runs under, read from its own cgroup (v1 or v2).

The same reading as the lab's server/cgroup.ts, so /heavy/health/ reports the limits as seen
from inside: walk up from the process's cgroup, the tightest limit wins.
"""

import os

ROOT = "/sys/fs/cgroup"
# cgroup v1 writes "no limit" as a huge page-aligned number.
V1_UNLIMITED = 2**60


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _ancestors(root, path):
    parts = [p for p in path.split("/") if p]
    dirs = ["/".join([root, *parts[:i]]) for i in range(len(parts), -1, -1)]
    return [d for d in dirs if os.path.isdir(d)]


def _tighter(current, value):
    return value if current is None else min(current, value)


def read_limits(root=ROOT, proc_cgroup="/proc/self/cgroup"):
    cpus_available = len(os.sched_getaffinity(0))
    lines = (_read(proc_cgroup) or "").splitlines()
    if not lines:
        return {"cpus": None, "cpus_available": cpus_available, "memory_bytes": None, "cgroup_version": None}
    paths = {}
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(","):
            paths[c] = path
    unified = os.path.exists(f"{root}/cgroup.controllers")
    cpu_quota = memory = None
    if unified:
        for d in _ancestors(root, paths.get("", "/")):
            cpu_max = (_read(f"{d}/cpu.max") or "max").split()
            if cpu_max[0] != "max":
                cpu_quota = _tighter(cpu_quota, int(cpu_max[0]) / int(cpu_max[1]))
            mem = _read(f"{d}/memory.max")
            if mem and mem != "max":
                memory = _tighter(memory, int(mem))
    else:
        cpu_path = paths.get("cpu", paths.get("cpuacct"))
        cpu_dir = next((d for d in (f"{root}/cpu", f"{root}/cpu,cpuacct") if os.path.isdir(d)), None)
        if cpu_path is not None and cpu_dir:
            for d in _ancestors(cpu_dir, cpu_path):
                quota = int(_read(f"{d}/cpu.cfs_quota_us") or -1)
                period = int(_read(f"{d}/cpu.cfs_period_us") or 0)
                if quota > 0 and period > 0:
                    cpu_quota = _tighter(cpu_quota, quota / period)
        mem_path = paths.get("memory")
        if mem_path is not None:
            for d in _ancestors(f"{root}/memory", mem_path):
                raw = _read(f"{d}/memory.limit_in_bytes")
                if raw and raw.isdigit() and int(raw) < V1_UNLIMITED:
                    memory = _tighter(memory, int(raw))
    return {
        "cpus": cpu_quota,
        "cpus_available": cpus_available,
        "memory_bytes": memory,
        "cgroup_version": 2 if unified else 1,
    }
