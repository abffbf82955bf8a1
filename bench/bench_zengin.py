"""Time the 全銀 総合振込 writer on 100,000 transfers against a pure I/O floor.

Run from the repository root: ``.venv/bin/python bench/bench_zengin.py [--transfers N] [--repeat R]``.
Prints the wall time (seconds, best of ``R`` runs) of ``write_sogo_furikomi`` and of the baseline — joining
N + 3 pre-built 120-byte records with CRLF, in the same process — their ratio, and ``target < 2 s: PASS`` or
``FAIL`` (exit status 1 on FAIL). Needs no database and no Django settings.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reports.zengin import Requester, Transfer, write_sogo_furikomi  # noqa: E402

TARGET_SECONDS = 2.0
TRANSFER_DATE = dt.date(2027, 1, 4)  # a Monday, a bank business day
REQUESTER = Requester(
    code="351234",
    name_kana="ﾔﾏｸﾞﾁｼ",
    bank_code="0170",
    bank_name_kana="ﾔﾏｸﾞﾁ",
    branch_code="001",
    branch_name_kana="ﾎﾝﾃﾝ",
    account_type="1",
    account_number="1234567",
)
BANKS: tuple[tuple[str, str, str, str], ...] = (
    ("0170", "ﾔﾏｸﾞﾁ", "001", "ﾎﾝﾃﾝ"),
    ("9900", "ﾕｳﾁﾖ", "019", "ｾﾞﾛｲﾁｷﾕｳ"),
    ("0570", "ｻｲｷﾖｳ", "001", "ﾎﾝﾃﾝ"),
    ("8134", "ﾔﾏｸﾞﾁｹﾝﾉｳｷﾖｳ", "001", "ﾎﾝﾃﾝ"),
    ("1780", "ﾊｷﾞﾔﾏｸﾞﾁｼﾝｷﾝ", "001", "ﾎﾝﾃﾝ"),
)


def build_transfers(n: int) -> list[Transfer]:
    """``n`` distinct transfers (every payee name different, amounts in whole yen)."""
    transfers = []
    for i in range(n):
        bank_code, bank_name, branch_code, branch_name = BANKS[i % len(BANKS)]
        transfers.append(
            Transfer(
                bank_code=bank_code,
                bank_name_kana=bank_name,
                branch_code=branch_code,
                branch_name_kana=branch_name,
                account_type="1",
                account_number=f"{(i * 7919) % 10_000_000:07d}",
                payee_kana=f"ﾔﾏｸﾞﾁ ﾀﾞｲ{i}ｼﾞﾁｶｲ",
                amount=10_000 + (i * 37) % 500_000,
                customer_code1=str(i),
            )
        )
    return transfers


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """The shortest wall time of ``repeat`` calls of ``run`` (seconds) and the last result."""
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    transfers = build_transfers(args.transfers)
    records = [bytes([0x32]) * 120 for _ in range(args.transfers + 3)]  # pre-built 120-byte records

    writer_s, data = best_of(args.repeat, lambda: write_sogo_furikomi(REQUESTER, TRANSFER_DATE, transfers))
    floor_s, floor = best_of(args.repeat, lambda: b"\r\n".join(records) + b"\r\n")
    assert isinstance(data, bytes) and isinstance(floor, bytes) and len(data) == len(floor)

    passed = writer_s < TARGET_SECONDS
    print(f"transfers: {args.transfers:,}  records: {args.transfers + 3:,}  file: {len(data):,} bytes")
    print(f"write_sogo_furikomi:            {writer_s:.3f} s (best of {args.repeat})")
    print(f"baseline (join 120-byte+CRLF):  {floor_s:.3f} s (best of {args.repeat})")
    print(f"ratio writer/baseline:          {writer_s / floor_s:.1f}x")
    print(f"target < {TARGET_SECONDS:g} s: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
