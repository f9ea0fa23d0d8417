"""otpkit (PyO3 extension) against pyotp, in one run: code generation, verify ±1 step
and a trivial call, per call. Needs both packages installed (pyotp from PyPI):

    python bindings/python/bench/bench.py [--rounds 7] [--number 20000]

Each operation runs `rounds` times of `number` calls for each library, the libraries
interleaved round by round so that machine noise hits both alike; the table shows the
median per call and the ratio pyotp / otpkit (higher: otpkit faster).
"""

import argparse
import importlib.metadata
import platform
import statistics
import sys
import timeit

import pyotp

import otpkit

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits: pyotp refuses under 112
T = 1_700_000_000


def cases():
    ours, theirs = otpkit.Totp(SECRET), pyotp.TOTP(SECRET)
    code = ours.at(T)
    assert code == theirs.at(T)
    # A code one step behind: both scan the window and find it (not the first candidate).
    late = ours.at(T - 30)
    assert ours.verify(late, T, valid_window=1) and theirs.verify(late, for_time=T, valid_window=1)
    wrong = next(c for c in ("000000", "111111", "222222") if not ours.verify(c, T))
    assert not theirs.verify(wrong, for_time=T, valid_window=1)
    return [
        ("generate: at(t)", lambda: ours.at(T), lambda: theirs.at(T)),
        ("verify ±1, match one step late", lambda: ours.verify(late, T, 1),
         lambda: theirs.verify(late, for_time=T, valid_window=1)),
        ("verify ±1, wrong code", lambda: ours.verify(wrong, T, 1),
         lambda: theirs.verify(wrong, for_time=T, valid_window=1)),
        ("trivial: timecode(t)", lambda: ours.timecode(T), lambda: theirs.timecode(T)),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    print(f"python {platform.python_version()} ({sys.implementation.name}), "
          f"otpkit {importlib.metadata.version('otpkit')}, pyotp {importlib.metadata.version('pyotp')}, "
          f"{args.rounds} rounds x {args.number} calls, median per call")
    print()
    print("| operation | otpkit | pyotp | pyotp / otpkit |")
    print("| --- | ---: | ---: | ---: |")
    worst = float("inf")
    for name, ours, theirs in cases():
        times = {"otpkit": [], "pyotp": []}
        for _ in range(args.rounds):
            for label, fn in (("otpkit", ours), ("pyotp", theirs)):
                times[label].append(timeit.timeit(fn, number=args.number) / args.number)
        a, b = statistics.median(times["otpkit"]), statistics.median(times["pyotp"])
        ratio = b / a
        if not name.startswith("trivial"):
            worst = min(worst, ratio)
        print(f"| {name} | {a * 1e9:,.0f} ns | {b * 1e9:,.0f} ns | {ratio:.1f}x |")
    print()
    print(f"generate/verify: otpkit at least {worst:.1f}x faster than pyotp "
          f"({'meets' if worst >= 10 else 'MISSES'} the 10x goal)")


if __name__ == "__main__":
    main()
