"""otpkit (PyO3 extension) against pyotp and against the Rust core itself, in one run:
code generation, verify ±1 step and a trivial call, per call.

    bindings/python/bench/run.sh [--rounds 15] [--number 20000]   # builds what it needs

or, with otpkit and pyotp installed and the yardstick module built (run.sh does both):

    python bindings/python/bench/bench.py --core DIR [--rounds 15] [--number 20000]

Four sides per operation, interleaved round by round so that machine noise hits them
alike:

- pyotp, and otpkit from Python: `timeit` of the call as a user writes it
  (``totp.at(T)``, the object and T local variables), no lambda around it;
- the core: the same operation on the same secret and time, timed by the Rust core in a
  Rust loop (``Core.time`` of the ``otpkit_core_bench`` module, in ``DIR``), built with
  the wheel's profile and called in this process between the Python rounds;
- a no-op: a PyO3 method with the same signature that does nothing (``Noop`` of the
  same module): what any call from Python into a PyO3 extension costs.

The table shows the median per call of each side, and otpkit / core by median and by
minimum (the least disturbed round of each side); the goal is otpkit within 3x of the
core.
"""

import argparse
import base64
import importlib.metadata
import os
import platform
import statistics
import sys
import timeit

import pyotp

import otpkit

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits: pyotp refuses under 112
T = 1_700_000_000
GOAL = 3.0


def cases(core_module):
    ours, theirs = otpkit.Totp(SECRET), pyotp.TOTP(SECRET)
    compat = otpkit.pyotp.TOTP(SECRET)
    code = ours.at(T)
    assert code == theirs.at(T) == compat.at(T)
    # A code one step behind: both scan the window and find it (not the first candidate).
    late = ours.at(T - 30)
    assert ours.verify(late, T, valid_window=1) and theirs.verify(late, for_time=T, valid_window=1)
    wrong = next(c for c in ("000000", "111111", "222222") if not ours.verify(c, T))
    assert not theirs.verify(wrong, for_time=T, valid_window=1)
    assert ours.timecode(T) == theirs.timecode(T)
    names = {"ours": ours, "theirs": theirs, "compat": compat, "T": T, "late": late,
             "wrong": wrong}
    core = noop = None
    if core_module is not None:
        core = core_module.Core(base64.b32decode(SECRET), T, late, wrong)
        names["noop"] = noop = core_module.Noop()
    # (name, otpkit statement, pyotp statement, core op, no-op statement)
    rows = [
        ("generate: at(t)", "ours.at(T)", "theirs.at(T)", "at", "noop.at(T)"),
        ("generate: now()", "ours.now()", "theirs.now()", "now", "noop.at()"),
        ("verify ±1, match one step late", "ours.verify(late, for_time=T, valid_window=1)",
         "theirs.verify(late, for_time=T, valid_window=1)", "verify_late", "noop.verify(late, for_time=T, valid_window=1)"),
        ("verify ±1, wrong code", "ours.verify(wrong, for_time=T, valid_window=1)",
         "theirs.verify(wrong, for_time=T, valid_window=1)", "verify_wrong", "noop.verify(wrong, for_time=T, valid_window=1)"),
        ("trivial: timecode(t)", "ours.timecode(T)", "theirs.timecode(T)", "timecode",
         "noop.timecode(T)"),
        # pyotp's own API over otpkit (`otpkit.pyotp`): a Python method around the call.
        ("otpkit.pyotp: TOTP.at(t)", "compat.at(T)", "theirs.at(T)", "at", None),
        ("otpkit.pyotp: TOTP.verify ±1, late", "compat.verify(late, for_time=T, valid_window=1)",
         "theirs.verify(late, for_time=T, valid_window=1)", "verify_late", None),
    ]
    return rows, names, core, noop


def timer(stmt, names):
    """A timeit.Timer of `stmt` with `names` as local variables of the timing loop."""
    setup = "; ".join(f"{n} = _names[{n!r}]" for n in names)
    return timeit.Timer(stmt, setup=setup, globals={"_names": names})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    parser.add_argument("--core", metavar="DIR",
                        help="folder holding the otpkit_core_bench module (run.sh builds it)")
    args = parser.parse_args()
    core_module = None
    if args.core:
        sys.path.insert(0, args.core)
        import otpkit_core_bench as core_module
    rows, names, core, noop = cases(core_module)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {platform.python_version()} ({sys.implementation.name}), "
          f"otpkit {importlib.metadata.version('otpkit')}, pyotp {importlib.metadata.version('pyotp')}, "
          f"{args.rounds} rounds x {args.number} calls, per call; load average {load} before")
    print()
    print("| operation | pyotp | otpkit | core (Rust loop) | no-op PyO3 call "
          "| pyotp / otpkit | otpkit / core (median) | otpkit / core (min) | within 3x |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    worst_peer = float("inf")
    worst_core = 0.0
    for name, ours_stmt, theirs_stmt, op, noop_stmt in rows:
        sides = {"otpkit": timer(ours_stmt, names), "pyotp": timer(theirs_stmt, names)}
        if noop is not None and noop_stmt is not None:
            sides["noop"] = timer(noop_stmt, names)
        times = {side: [] for side in [*sides, "core"]}
        if core is not None:
            # The core's rounds run as many calls as last as long as otpkit's rounds, so
            # that both are as likely to be interrupted by the other processes.
            ours_once = min(sides["otpkit"].timeit(number=args.number) for _ in range(3))
            core_once = min(core.time(op, args.number) * args.number for _ in range(3))
            core_number = max(args.number, round(args.number * ours_once / core_once))
        for _ in range(args.rounds):
            for side, t in sides.items():
                times[side].append(t.timeit(number=args.number) / args.number)
            if core is not None:
                times["core"].append(core.time(op, core_number))
        med = {side: statistics.median(v) for side, v in times.items() if v}
        low = {side: min(v) for side, v in times.items() if v}

        def ns(side):
            return f"{med[side] * 1e9:,.1f} ns" if side in med else ""

        peer = med["pyotp"] / med["otpkit"]
        if not name.startswith(("trivial", "otpkit.pyotp")):
            worst_peer = min(worst_peer, peer)
        if "core" in med:
            by_med, by_min = med["otpkit"] / med["core"], low["otpkit"] / low["core"]
            met = "yes" if by_med <= GOAL else "no"
            if not name.startswith("otpkit.pyotp"):
                worst_core = max(worst_core, by_med)
            vs_core = f"{by_med:.1f}x | {by_min:.1f}x | {met}"
        else:
            vs_core = " |  | "
        print(f"| {name} | {ns('pyotp')} | {ns('otpkit')} | {ns('core')} | {ns('noop')} "
              f"| {peer:.1f}x | {vs_core} |")
    print()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} after")
    print(f"generate/verify: otpkit at least {worst_peer:.1f}x faster than pyotp "
          f"({'meets' if worst_peer >= 10 else 'MISSES'} the 10x goal)")
    if core is not None:
        print(f"otpkit.Totp from Python: at most {worst_core:.1f}x the core's own time "
              f"(median; goal {GOAL:g}x)")


if __name__ == "__main__":
    main()
