"""One operation of bench.py `n` times in a plain Python loop, for counting instructions
with callgrind (count.sh runs it with n = 0 and n = 10000 and divides the difference):

    python count.py OP N        # the otpkit package and otpkit_core_bench on sys.path

OP is at, now, verify, verify_kw or timecode (otpkit.Totp from Python), noop_<the same>
(the no-op PyO3 method with that signature), core_at, core_now, core_verify or
core_timecode (the core's own loop), or empty (the loop alone).
"""

import base64
import sys

import otpkit
import otpkit_core_bench

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T = 1_700_000_000


def main():
    op, n = sys.argv[1], int(sys.argv[2])
    ours, noop = otpkit.Totp(SECRET), otpkit_core_bench.Noop()
    late = ours.at(T - 30)
    core = otpkit_core_bench.Core(base64.b32decode(SECRET), T, late, "000000")
    if op.startswith("core_"):
        core.time({"core_verify": "verify_late"}.get(op, op[len("core_"):]), n)
        return
    # Each loop written out, so that a call is the statement itself (no lambda frame).
    if op == "at":
        for _ in range(n):
            ours.at(T)
    elif op == "now":
        for _ in range(n):
            ours.now()
    elif op == "verify":
        for _ in range(n):
            ours.verify(late, T, 1)
    elif op == "verify_kw":
        for _ in range(n):
            ours.verify(late, for_time=T, valid_window=1)
    elif op == "timecode":
        for _ in range(n):
            ours.timecode(T)
    elif op == "noop_at":
        for _ in range(n):
            noop.at(T)
    elif op == "noop_now":
        for _ in range(n):
            noop.at()
    elif op == "noop_verify":
        for _ in range(n):
            noop.verify(late, T, 1)
    elif op == "noop_verify_kw":
        for _ in range(n):
            noop.verify(late, for_time=T, valid_window=1)
    elif op == "noop_timecode":
        for _ in range(n):
            noop.timecode(T)
    elif op == "empty":
        for _ in range(n):
            pass
    else:
        sys.exit(f"count.py: unknown operation {op!r}")


if __name__ == "__main__":
    main()
