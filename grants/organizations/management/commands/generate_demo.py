"""Generate the demo 自治会 (fictitious, calibrated to the city's public totals); safe to re-run."""
from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grants.core.fiscal import wareki
from grants.organizations.demo import (
    DEMO_NOTE,
    DemoDataError,
    default_association_count,
    generate_demo_associations,
)

DEFAULT_SEED = 20260401
DEFAULT_BASE_DATE = dt.date(2026, 4, 1)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = f"日付は YYYY-MM-DD の形で指定してください（「{text}」）。"
        raise argparse.ArgumentTypeError(message) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"正の整数を指定してください（「{text}」）。") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"正の整数を指定してください（「{text}」）。")
    return value


class Command(BaseCommand):
    help = (
        "デモ用の自治会（架空）を、市の世帯数×加入率に合うように生成します。"
        "既に生成済みなら何もしません。先に load_reference_data を実行してください。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"乱数の種（既定: {DEFAULT_SEED}）"
        )
        parser.add_argument(
            "--base-date",
            type=_iso_date,
            default=DEFAULT_BASE_DATE,
            help=f"世帯数の基準日 YYYY-MM-DD（既定: {DEFAULT_BASE_DATE.isoformat()}）",
        )
        parser.add_argument(
            "--count",
            type=_positive_int,
            default=None,
            help="自治会の数（既定: 市の統計値 neighbourhood_associations）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_date: dt.date = options["base_date"]
        try:
            count: int = options["count"] or default_association_count()
            summary = generate_demo_associations(seed=options["seed"], base_date=base_date, count=count)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        when = wareki(base_date)
        if not summary.created:
            self.stdout.write(
                f"デモ用の自治会は既に {summary.associations:,}件あります（基準日 {when} の加入世帯数 "
                f"{summary.households:,}世帯）。何も変更していません。"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"デモ用の自治会 {summary.associations:,}件を作成しました"
                f"（基準日 {when} の加入世帯数 合計 {summary.households:,}世帯）。"
            )
        )
        self.stdout.write(f"これらの団体・世帯数・代表者・口座は{DEMO_NOTE}。")

