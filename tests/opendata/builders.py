"""A small city for the open-data tests: two 地域, an organisation of each kind, the three programmes, cases in
every state that matters, and personal data planted beside them (heads, members, users, bank accounts, an insurance
accident with an injured person) that must never reach a file."""
import dataclasses
import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.evaluation.models import Assignment, AssignmentStatus, Criterion, Publication, Score
from grants.opendata.models import DEFAULT_POLICY, DEFAULT_REASONS, KindPolicy
from grants.organizations.models import Area, MemberRole, Organization, OrganizationKind
from grants.programmes.models import Programme, ProgrammeYear
from tests import factories

FY = 2025
PREV = 2024

#: Personal data planted in the fixtures: no output may contain any of it.
HEAD_NAME = "公表禁止 花子"
CLERK_NAME = "公表禁止 次郎"
USER_NAME = "申請者 三郎"
USERNAME = "secret-applicant"
ACCOUNT_NUMBER = "7777777"
HOLDER_KANA = "ｺｳﾋｮｳｷﾝｼ ﾊﾅｺ"
BANK_BRANCH = "秘密支店"
INJURED = "負傷者 四郎"
ACCIDENT = "保険事故の河川清掃"
PLANTED = (HEAD_NAME, CLERK_NAME, USER_NAME, USERNAME, ACCOUNT_NUMBER, HOLDER_KANA, BANK_BRANCH, INJURED,
           ACCIDENT, "公表禁止", "ｺｳﾋｮｳｷﾝｼ")

PROGRAMMES = {
    "jichi_shinko": ("自治会等自治振興交付金", "formula", OrganizationKind.JICHIKAI),
    "katsudo_shien": ("地域づくり活動支援交付金", "full", OrganizationKind.KYOGIKAI),
    "shimin_katsudo": ("市民活動交流事業補助金", "competitive", OrganizationKind.SHIMIN_DANTAI),
    "rengo_shinko": ("連合自治会交付金", "formula", OrganizationKind.RENGO),
}


@dataclasses.dataclass
class City:
    ohdono: Area
    yuda: Area
    py: dict[str, ProgrammeYear]
    orgs: dict[str, Organization]
    cases: dict[str, GrantCase]
    user: User


def area(code: str, name: str) -> Area:
    return Area.objects.get_or_create(code=code, defaults={"name": name, "kana": name,
                                                           "centre_name": f"{name}地域交流センター"})[0]


def programme_year(code: str, fiscal_year: int = FY) -> ProgrammeYear:
    name, flow, kind = PROGRAMMES[code]
    programme, _ = Programme.objects.get_or_create(code=code, defaults={"name": name, "workflow": flow,
                                                                        "recipient_kind": kind})
    existing = ProgrammeYear.objects.filter(programme=programme, fiscal_year=fiscal_year).first()
    return existing or factories.rule(code=code, fiscal_year=fiscal_year)


def organization(kind: str, code: str, name: str, where: Area, **fields: object) -> Organization:
    return Organization.objects.create(kind=kind, code=code, name=name, area=where, **fields)


def case(org: Organization, py: ProgrammeYear, status: str, *, decided: int | None = None,
         confirmed: int | None = None, title: str = "", decided_on: dt.date | None = None) -> GrantCase:
    return GrantCase.objects.create(
        programme_year=py, organization=org, status=status, decided_amount=decided, confirmed_amount=confirmed,
        decided_on=decided_on or (dt.date(py.fiscal_year, 5, 20) if decided is not None else None),
        confirmed_on=dt.date(py.fiscal_year + 1, 3, 25) if confirmed is not None else None, project_title=title,
        paid_amount=0,
    )


def plant_people(org: Organization, user: User) -> None:
    """A head, a clerk with the applicant's login and a bank account: all personal, none to be published."""
    factories.RepresentativeFactory(organization=org, name=HEAD_NAME, started_on=dt.date(2020, 4, 1))
    factories.RepresentativeFactory(organization=org, name=CLERK_NAME, role=MemberRole.CLERK, user=user,
                                    started_on=dt.date(2020, 4, 1))
    factories.BankAccountFactory(organization=org, account_number=ACCOUNT_NUMBER, holder_kana=HOLDER_KANA,
                                 branch_name=BANK_BRANCH)


def cancelled_then_closed(case_: GrantCase) -> None:
    """The audit trail of a decision cancelled and the case closed since (its state no longer says 取消)."""
    kind = ContentType.objects.get_for_model(GrantCase)
    for before, after in ((Status.DECIDED, Status.CANCELLED), (Status.CANCELLED, Status.CLOSED)):
        AuditEvent.objects.create(content_type=kind, object_id=case_.pk, action="x", from_state=before,
                                  to_state=after)


def city() -> City:
    """Two 地域 (大殿 01, 湯田 03) and, in FY2025:

    - 自治会 (formula): 大殿 three decided (100,000 + 120,000 + 80,000) and one 不交付, 湯田 one paid (90,000);
    - 連合自治会 (formula): one decided (50,000);
    - 協議会 (full): 大殿 closed (decided 1,500,000, confirmed 1,480,000); 湯田 cancelled in full (decided
      1,000,000, kept 0);
    - 市民活動団体 (competitive): one confirmed NPO with a 法人番号 (300,000 → 280,000), one decided (200,000), one
      not selected, one still in draft; a third decided then cancelled (kept 50,000) and closed since;
    - FY2024: one closed council case (so two years are published).
    """
    for kind, mode in DEFAULT_POLICY.items():  # as migration 0001 writes them (a flushed database has none)
        KindPolicy.objects.update_or_create(kind=kind, defaults={"mode": mode, "reason": DEFAULT_REASONS[kind]})
    ohdono, yuda = area("01", "大殿"), area("03", "湯田")
    py = {code: programme_year(code) for code in PROGRAMMES}
    user = factories.UserFactory(username=USERNAME, display_name=USER_NAME, role=Role.ASSOCIATION_HEAD)
    o = {
        "j1": organization(OrganizationKind.JICHIKAI, "J-1", "大殿第1自治会", ohdono),
        "j2": organization(OrganizationKind.JICHIKAI, "J-2", "大殿第2自治会", ohdono),
        "j3": organization(OrganizationKind.JICHIKAI, "J-3", "大殿第3自治会", ohdono),
        "j4": organization(OrganizationKind.JICHIKAI, "J-4", "大殿第4自治会", ohdono),
        "j5": organization(OrganizationKind.JICHIKAI, "J-5", "湯田第1自治会", yuda),
        "r1": organization(OrganizationKind.RENGO, "R-1", "大殿連合自治会", ohdono),
        "k1": organization(OrganizationKind.KYOGIKAI, "K-01", "大殿地域づくり協議会", ohdono),
        "k2": organization(OrganizationKind.KYOGIKAI, "K-03", "湯田まちづくり協議会", yuda),
        "s1": organization(OrganizationKind.SHIMIN_DANTAI, "S-1", "NPO法人 やまぐち子ども食堂ネット", yuda,
                           corporate_number="4011105005409"),
        "s2": organization(OrganizationKind.SHIMIN_DANTAI, "S-2", "大殿まちなみ保存の会", ohdono),
        "s3": organization(OrganizationKind.SHIMIN_DANTAI, "S-3", "不採択の会", ohdono),
        "s4": organization(OrganizationKind.SHIMIN_DANTAI, "S-4", "申請前の会", yuda),
        "s5": organization(OrganizationKind.SHIMIN_DANTAI, "S-5", "取消された会", yuda),
    }
    for key in ("j1", "k1", "s1"):
        plant_people(o[key], user)
    j, k, s = py["jichi_shinko"], py["katsudo_shien"], py["shimin_katsudo"]
    c = {
        "j1": case(o["j1"], j, Status.DECIDED, decided=100_000),
        "j2": case(o["j2"], j, Status.PAID, decided=120_000),
        "j3": case(o["j3"], j, Status.PAYMENT_APPROVED, decided=80_000),
        "j4": case(o["j4"], j, Status.NOT_GRANTED, decided=0, decided_on=dt.date(FY, 5, 20)),
        "j5": case(o["j5"], j, Status.PAID, decided=90_000),
        "r1": case(o["r1"], py["rengo_shinko"], Status.DECIDED, decided=50_000),
        "k1": case(o["k1"], k, Status.CLOSED, decided=1_500_000, confirmed=1_480_000, title="大殿ふれあいまつり"),
        "k2": case(o["k2"], k, Status.CANCELLED, decided=1_000_000, confirmed=0, title="湯田の水路補修"),
        "s1": case(o["s1"], s, Status.CONFIRMED, decided=300_000, confirmed=280_000, title="こども食堂の開設"),
        "s2": case(o["s2"], s, Status.DECIDED, decided=200_000, title="町並みの記録"),
        "s3": case(o["s3"], s, "not_selected", title="採択されなかった事業"),
        "s4": case(o["s4"], s, Status.DRAFT, title="申請前の事業"),
        "s5": case(o["s5"], s, Status.CLOSED, decided=400_000, confirmed=50_000, title="取消された事業"),
        "k1_prev": case(o["k1"], programme_year("katsudo_shien", PREV), Status.CLOSED, decided=900_000,
                        confirmed=900_000, title="前年度のまつり"),
    }
    cancelled_then_closed(c["s5"])
    return City(ohdono=ohdono, yuda=yuda, py=py, orgs=o, cases=c, user=user)


EVALUATOR_NAME = "評価委員 秘密"
HIDDEN_COMMENT = "公表しない講評の文"


def evaluated(city: City) -> None:
    """Published evaluations in FY2025: 大殿まちなみ保存の会 (s2, individual) by two evaluators (a peer and a third
    party) on two criteria, one comment published and one not, with a summary; the NPO (s1) evaluated but not
    published; 大殿第1自治会 (j1, published only as a total) published — which the open data must leave out."""
    s, j = city.py["shimin_katsudo"], city.py["jichi_shinko"]
    staff = factories.UserFactory(username="e-staff", role=Role.STAFF)
    criteria = [Criterion.objects.create(programme_year=s, order=1, name="公益性", max_score=5, weight=2),
                Criterion.objects.create(programme_year=s, order=2, name="独創性", max_score=5, weight=1)]
    j_criterion = Criterion.objects.create(programme_year=j, order=1, name="活動の充実", max_score=5, weight=1)
    evaluators = [factories.UserFactory(username=f"e-{n}", role=Role.EVALUATOR, display_name=EVALUATOR_NAME)
                  for n in range(2)]

    def assignment(case_: GrantCase, evaluator: User, kind: str, scores: list[tuple[Criterion, int, str, bool]]) -> None:
        a = Assignment.objects.create(case=case_, evaluator=evaluator, kind=kind, assigned_by=staff,
                                      status=AssignmentStatus.SUBMITTED, conflict_declared=False,
                                      submitted_at=timezone.now())
        for criterion, score, comment, published in scores:
            Score.objects.create(assignment=a, criterion=criterion, score=score, comment=comment,
                                 comment_published=published)

    s2, s1, j1 = city.cases["s2"], city.cases["s1"], city.cases["j1"]
    assignment(s2, evaluators[0], "peer", [(criteria[0], 4, "地域の記録として価値が高い。", True),
                                           (criteria[1], 3, HIDDEN_COMMENT, False)])
    assignment(s2, evaluators[1], "third_party", [(criteria[0], 5, "", False), (criteria[1], 4, "", False)])
    assignment(s1, evaluators[0], "third_party", [(criteria[0], 5, "", False), (criteria[1], 5, "", False)])
    assignment(j1, evaluators[0], "third_party", [(j_criterion, 5, "自治会の講評", True)])
    now = timezone.now()
    Publication.objects.create(case=s2, publish_scores=True, summary="町並みを丁寧に記録した事業です。",
                               decided_by=staff, decided_at=now)
    Publication.objects.create(case=s1, publish_scores=False, summary="公表しない総評", decided_by=staff,
                               decided_at=now)
    Publication.objects.create(case=j1, publish_scores=True, summary="自治会の総評", decided_by=staff, decided_at=now)
