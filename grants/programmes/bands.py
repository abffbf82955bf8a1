"""Checks of a rule's band tables as a whole, as the administrator enters them (issue: bands "from … to").

A table of count bands (``ComponentBand``: 1〜100世帯, 101〜200世帯, 201世帯以上) must start at 1 and run without gap
or overlap; a table of cost bands (``CostBand``: 100,000円までの部分, それを超える部分) has one row per bound and
exactly one open row, the last. Each function takes the rows in the order they were entered (row 1 first) and returns
the errors in Japanese, naming the rows as the administrator sees them; an empty list means the table is sound.
"""
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CountRow:
    """One entered count band: its row number on the form (1-based), from (以上) and to (以下, None = and above)."""

    row: int
    from_count: int
    to_count: int | None

    @property
    def label(self) -> str:
        return f"{self.from_count:,}以上" if self.to_count is None else f"{self.from_count:,}〜{self.to_count:,}"


def count_band_errors(rows: Sequence[CountRow]) -> list[str]:
    """Gaps, overlaps and a wrong start in a table of count bands, e.g. 「3行目（150〜300）が2行目（101〜200）と
    重なっています。」「2行目と3行目の間（201〜249）がどの区分にも入っていません。」. A last band with an upper
    bound is allowed (counts above it are not paid)."""
    errors: list[str] = []
    ordered = sorted(rows, key=lambda r: (r.from_count, r.row))
    if ordered and ordered[0].from_count > 1:
        first = ordered[0]
        errors.append(f"{first.row}行目（{first.label}）：最初の区分は1から始めてください"
                      f"（1〜{first.from_count - 1:,}がどの区分にも入っていません）。")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.to_count is None:
            errors.append(f"{after.row}行目（{after.label}）が{before.row}行目（{before.label}）と重なっています。"
                          "上限のない区分は最後の1行だけにしてください。")
        elif after.from_count <= before.to_count:
            errors.append(f"{after.row}行目（{after.label}）が{before.row}行目（{before.label}）と重なっています。")
        elif after.from_count > before.to_count + 1:
            gap = f"{before.to_count + 1:,}〜{after.from_count - 1:,}"
            errors.append(f"{before.row}行目と{after.row}行目の間（{gap}）がどの区分にも入っていません。")
    return errors


@dataclass(frozen=True)
class CostRow:
    """One entered cost band: its row number (1-based) and the bound of its part in yen (None = the rest)."""

    row: int
    up_to: int | None


def cost_band_errors(rows: Sequence[CostRow]) -> list[str]:
    """Two rows for the same bound, more than one row for 「それを超える部分」 (no bound), or no such row at all: the
    cost above the highest bound would go unpaid without a line saying so (a 要綱 that pays nothing above it is
    entered as a last row at 0/1)."""
    errors: list[str] = []
    seen: dict[int | None, int] = {}
    for row in rows:
        if row.up_to in seen:
            what = "それを超える部分（空欄）" if row.up_to is None else f"{row.up_to:,}円までの部分"
            errors.append(f"{seen[row.up_to]}行目と{row.row}行目が同じ{what}です。1行にまとめてください。")
        else:
            seen[row.up_to] = row.row
    if rows and None not in seen:
        top = max(up_to for up_to in seen if up_to is not None)
        errors.append(f"{top:,}円を超える部分の行がありません。最後の行は「この額までの部分」を空欄にして、それを超える"
                      "部分の補助率を定めてください（超える部分に補助しないときは補助率 0/1）。")
    return errors
