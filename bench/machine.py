"""What the machine was doing while we measured: cores, memory, and the load average sampled in the background.

Benchmarks here share a small machine with other work, so every figure is reported next to a baseline
measured in the same run (a ratio) and next to the load that was on the machine at the time.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from dataclasses import dataclass, field


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def memory_total_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM); children report their own."""
    return _status_kib("VmHWM") / 1024


def rss_mib() -> float:
    return _status_kib("VmRSS") / 1024


def _status_kib(key: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return float(line.split()[1])
    return float("nan")


@dataclass
class LoadMonitor:
    """Samples the 1-minute load average every ``every_s`` seconds in a daemon thread, per named phase."""

    every_s: float = 5.0
    samples: dict[str, list[float]] = field(default_factory=dict)
    _phase: str = "start"
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> LoadMonitor:
        self._thread = threading.Thread(target=self._run, name="load-monitor", daemon=True)
        self._thread.start()
        return self

    def phase(self, name: str) -> None:
        self._phase = name
        self.samples.setdefault(name, []).append(load_average()[0])

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every_s + 1)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.samples.setdefault(self._phase, []).append(load_average()[0])

    def summary(self, phase: str | None = None) -> dict[str, float]:
        values = self.samples.get(phase, []) if phase else [v for vs in self.samples.values() for v in vs]
        if not values:
            values = [load_average()[0]]
        return {"min": min(values), "mean": sum(values) / len(values), "max": max(values)}


def describe() -> dict[str, object]:
    return {"cores": os.cpu_count() or 1, "memory_gib": round(memory_total_gib(), 1), "cpu": cpu_model(),
            "python": platform.python_version(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "load_at_start": load_average()}
