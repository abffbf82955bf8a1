"""The checks a competitive programme enables (``Programme.checks``: ``group_eligibility``): whether the group
meets what the call asks of it (GRANTS.md §5: e.g. at least 5 members, based in the city, bylaws, no political,
religious or profit aim), each failure explained in Japanese. The 費目 checks are the shared ``expense_lines``."""
from __future__ import annotations

from collections.abc import Iterable

from grants.cases.models import GrantCase
from grants.core import checks as registry
from grants.core.checks import CheckProvider, Judgment

from .models import Call, GroupRegistration, ProjectPlan, RegistrationStatus


def group_judgments(registration: GroupRegistration | None, call: Call) -> list[Judgment]:
    """What ``call`` asks of a group, judged on its registration (None: not registered)."""
    if registration is None:
        return [("group_registered", False, "団体登録がありません。先に団体登録を申請してください。")]
    judgments: list[Judgment] = [
        ("group_registered", registration.status == RegistrationStatus.CONFIRMED,
         "団体登録が市でまだ確認されていません。"),
        ("group_members", registration.members >= call.min_members,
         f"構成員が{call.min_members}人以上の団体が対象です（登録上の構成員数は{registration.members}人です）。"),
    ]
    if call.require_based_in_city:
        judgments.append(("group_based_in_city", registration.based_in_city,
                          "市内に活動拠点がある団体が対象です。活動拠点の所在地を確認してください。"))
    if call.require_bylaws:
        judgments.append(("group_bylaws", bool(registration.bylaws),
                          "規約（会則）の提出が必要です。団体登録に規約を添付してください。"))
    if call.require_member_list:
        judgments.append(("group_member_list", bool(registration.member_list),
                          "構成員名簿の提出が必要です。団体登録に名簿を添付してください。"))
    judgments += [
        ("group_not_political", registration.no_political_aim,
         "政治活動（政党や候補者の支持など）を目的とする団体は対象外です。"),
        ("group_not_religious", registration.no_religious_aim, "宗教活動を目的とする団体は対象外です。"),
        ("group_not_for_profit", registration.no_profit_aim, "営利を目的とする団体は対象外です。"),
    ]
    return judgments


class GroupEligibility(CheckProvider):
    code, label = "group_eligibility", "市民活動団体の要件（募集ごとの構成員数・活動拠点・規約・目的）"
    checks = {"group_registered": "市の確認を受けた団体登録があること",
              "group_members": "構成員数が募集の定める人数以上であること",
              "group_based_in_city": "市内に活動拠点があること",
              "group_bylaws": "規約（会則）があること",
              "group_member_list": "構成員名簿があること",
              "group_not_political": "政治活動を目的としないこと",
              "group_not_religious": "宗教活動を目的としないこと",
              "group_not_for_profit": "営利を目的としないこと"}
    rank = {code: 50 + i for i, code in enumerate(checks)}

    def organisation(self, case: GrantCase, stage: object) -> Iterable[Judgment]:
        plan = ProjectPlan.objects.filter(case=case).select_related("call").first()
        if plan is None:
            yield ("group_registered", False, "この申請は募集に結び付いていません。担当職員にお問い合わせください。")
            return
        registration = GroupRegistration.objects.filter(organization_id=case.organization_id).first()
        yield from group_judgments(registration, plan.call)


registry.register(GroupEligibility())
