"""What a CPU can run, from its instruction-set flags (pure)."""

from __future__ import annotations

# x86-64 micro-architecture levels (System V psABI), as Linux /proc/cpuinfo names the flags.
_LEVELS = [
    (1, {"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"}),
    (2, {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}),
    (3, {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"}),
    (4, {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}),
]


def x86_64_level(flags: set[str]) -> int | None:
    level = None
    for n, needed in _LEVELS:
        if not needed <= flags:
            break
        level = n
    return level


def can_run(arch: str | None, is_64bit: bool | None, level: int | None) -> list[str]:
    """Operating systems whose *instruction-set* floor this CPU meets.

    Windows 11's CPU list and TPM rules are not checked here: this says what the
    silicon can execute, which is what decides harvest vs. reuse with Linux.
    """
    if not is_64bit:
        return []
    if arch in ("aarch64", "arm64"):
        return ["linux-64", "macos-arm64" if arch == "arm64" else "linux-arm64"]
    systems = ["linux-64", "windows-10-64"]
    if level is not None and level >= 2:
        systems += ["windows-11-isa", "rhel-9"]
    if level is not None and level >= 3:
        systems.append("rhel-10")
    return systems
