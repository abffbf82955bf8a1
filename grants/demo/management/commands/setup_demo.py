"""Set up the demonstration: reference data, demo associations, a sample rule and budget, one user per role,
the 地域づくり協議会 with their two grants and past years (``grants.councils.demo``), and the コミュニティ活動保険
sample policies and reports (``grants.insurance.demo``).

Safe to re-run: everything is created only when missing. Amounts are sample values (サンプル), not the city's.
"""
import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core.fiscal import fiscal_year_label, fiscal_year_of
from grants.core.models import record_event
from grants.demo.catalogue import setup_catalogue_demo
from grants.demo.competitive import PANEL, demo_group_logins, setup_competitive_demo
from grants.demo.councils import SECRETARY_USERNAME, setup_council_demo
from grants.demo.evaluation import EVALUATORS, setup_evaluation_demo, setup_evaluator_demo
from grants.demo.insurance import setup_insurance_demo
from grants.ledger.models import BudgetAccount, TransferSettings
from grants.ledger.services import set_budget
from grants.organizations.models import MemberRole, Organization, OrganizationKind, Representative
from grants.programmes.models import ComponentBand, ComponentKind, FormulaComponent, Programme, ProgrammeYear

# The two council grants (unei_shien, katsudo_shien) are set up by grants.councils.demo.
# (事業コード, 事業名, 略称 printed in case numbers, recipients)
PROGRAMMES = [
    ("jichi_shinko", "自治会等自治振興交付金", "自治振興", OrganizationKind.JICHIKAI),
    ("shimin_katsudo", "市民活動交流事業補助金", "市民活動", OrganizationKind.SHIMIN_DANTAI),
]

# (username, role, display name); the head is linked to the first demo association, and its 会計 (``jichi-kaikei``,
# a member who enters receipts but does not submit) to the same association; the council's 事務局 (the login it
# holds in its 会長's name) to 湯田地域づくり協議会.
TREASURER_USERNAME = "jichi-kaikei"
TREASURER_LABEL = "団体の会計（領収書・収支の入力。提出は代表者）"
HEAD_LABEL = "団体の代表者（申請・報告の提出、会計・担当者の招待）"
DEMO_USERS = [
    ("kaicho", Role.ASSOCIATION_HEAD, "自治会長（デモ）"),
    (TREASURER_USERNAME, Role.ASSOCIATION_HEAD, "自治会の会計（デモ）"),
    (SECRETARY_USERNAME, Role.ASSOCIATION_HEAD, "湯田地域づくり協議会 事務局（デモ）"),
    ("tanto", Role.STAFF, "協働推進課 担当（デモ）"),
    ("kessai", Role.APPROVER, "協働推進課長（デモ）"),
    ("kaikei", Role.FINANCE, "会計課 担当（デモ）"),
    ("kaikei2", Role.FINANCE, "会計課 審査（デモ）"),
    ("kansa", Role.AUDITOR, "監査委員事務局（デモ）"),
    ("hoken", Role.INSURANCE, "保険担当（デモ）"),
    ("hoken2", Role.INSURANCE, "保険担当・判定（デモ）"),
]

SAMPLE_BUDGET = 60_000_000


class Command(BaseCommand):
    help = "デモ環境を準備します（参照データ、デモ用自治会、サンプルの交付基準と予算、役割ごとの利用者）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo-pass-2026", help="デモ利用者のパスワード")
        parser.add_argument("--fiscal-year", type=int, default=None, help="年度（西暦の開始年）。既定は今日の年度")

    def handle(self, *args: object, password: str, fiscal_year: int | None, **options: object) -> None:
        year = fiscal_year or fiscal_year_of(timezone.localdate())
        call_command("load_reference_data", stdout=self.stdout)
        call_command("generate_demo", base_date=dt.date(year, 4, 1), stdout=self.stdout)
        with transaction.atomic():
            users = self._users(password)
            self._addresses()  # before the demo's acts, so that their お知らせ are mailed too (and again at the end)
            programme_year = self._sample_rule(year)
            self._budget(programme_year, users["kaikei"])
            self._link_head(users["kaicho"])
            self._link_treasurer(users[TREASURER_USERNAME], users["kaicho"])
            self._transfer_settings(users["admin"])
            councils = setup_council_demo(fiscal_year=year, users=users)
            insurance = setup_insurance_demo(fiscal_year=year, users=users)
            competitive = setup_competitive_demo(fiscal_year=year, users=users, password=password)
            setup_evaluation_demo(fiscal_year=year)  # after the programmes it gives criteria and targets
            setup_evaluator_demo(fiscal_year=year, staff=users["tanto"], password=password)
            setup_catalogue_demo(today=timezone.localdate())  # after every programme: their public guides
            self._addresses()
        self.stdout.write(self.style.SUCCESS(f"{fiscal_year_label(year)}の自治会等自治振興交付金（サンプル）を準備しました。"))
        history = "・".join(fiscal_year_label(y) for y in councils.past_years)
        self.stdout.write(
            f"地域づくり協議会 {councils.councils}件（地域づくり計画 {councils.plans}版）、運営支援・活動支援交付金の"
            f"サンプル基準、過年度（{history}）の完了案件 {councils.past_cases}件を準備しました。"
        )
        policies = "・".join(fiscal_year_label(y) for y in insurance.fiscal_years)
        self.stdout.write(
            f"コミュニティ活動保険：保険契約（サンプル、{policies}）、事故報告 {insurance.reports}件、"
            f"保険金請求 {insurance.claims}件を準備しました。"
        )
        self.stdout.write(
            f"市民活動交流事業補助金：募集 {competitive.calls}件（サンプル）、市民活動団体 {competitive.groups}団体、"
            f"申請 {competitive.applications}件（{'・'.join(competitive.stages)}）を準備しました。"
        )
        self.stdout.write(f"ログインできる利用者（パスワードはすべて「{password}」）:")
        for username, role, name in DEMO_USERS:
            label = (TREASURER_LABEL if username == TREASURER_USERNAME
                     else HEAD_LABEL if role == Role.ASSOCIATION_HEAD else Role(role).label)
            self.stdout.write(f"  {username:12} {label}（{name}）")
        for username, name in demo_group_logins():
            self.stdout.write(f"  {username:12} 市民活動団体の代表者（{name}）")
        for username, name in PANEL:
            self.stdout.write(f"  {username:12} {Role.PANEL.label}（{name}）")
        for username, name in EVALUATORS:
            self.stdout.write(f"  {username:12} {Role.EVALUATOR.label}（{name}）")
        self.stdout.write(f"  {'admin':12} 管理者（交付基準・予算の編集、/admin/）")
        self.stdout.write("お知らせのメールは送信されず、var/mail にファイルとして書き出されます"
                          "（宛先は <ログイン名>@example.jp）。")

    def _users(self, password: str) -> dict[str, User]:
        users = {}
        for username, role, name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role, "display_name": name})
            if created:
                user.set_password(password)
                user.save()
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"role": Role.STAFF, "display_name": "システム管理者", "is_staff": True,
                                        "is_superuser": True},
        )
        if created:
            admin.set_password(password)
            admin.save()
        users["admin"] = admin
        return users

    def _addresses(self) -> None:
        """Every demo login without an address gets ``<login>@example.jp`` (a name reserved for examples), so that
        the demo's お知らせ are mailed — into the files under var/mail, never sent — and show who would receive
        what."""
        for user in User.objects.filter(email=""):
            user.email = f"{user.username}@example.jp"
            user.save(update_fields=["email"])

    def _sample_rule(self, year: int) -> ProgrammeYear:
        for code, name, short_name, kind in PROGRAMMES:
            Programme.objects.get_or_create(code=code, defaults={"name": name, "short_name": short_name,
                                                                 "recipient_kind": kind})
        programme_year, created = ProgrammeYear.objects.get_or_create(
            programme=Programme.objects.get(code="jichi_shinko"), fiscal_year=year,
            defaults={
                "label": "サンプル", "base_date": dt.date(year, 4, 1), "application_opens": dt.date(year, 4, 1),
                "application_closes": dt.date(year + 1, 3, 31), "rounding_unit": 1,
                "rule_source": "サンプル値（山口市の単価は未公表のため、実際の要綱の値を管理画面で入力してください）",
            },
        )
        if created:
            FormulaComponent.objects.create(programme_year=programme_year, order=1, kind=ComponentKind.FLAT,
                                            label="均等割", unit_amount=20_000)
            per_household = FormulaComponent.objects.create(
                programme_year=programme_year, order=2, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割", unit_amount=0
            )
            ComponentBand.objects.create(component=per_household, from_count=1, to_count=100, unit_amount=600)
            ComponentBand.objects.create(component=per_household, from_count=101, to_count=None, unit_amount=400)
        return programme_year

    def _budget(self, programme_year: ProgrammeYear, officer: User) -> None:
        account, created = BudgetAccount.objects.get_or_create(
            programme_year=programme_year, defaults={"budget_code": "2款1項10目 19節 負担金補助及び交付金（サンプル）"}
        )
        if account.budget == 0:
            set_budget(programme_year=programme_year, budget=SAMPLE_BUDGET, actor=officer, note="当初予算（サンプル）")

    def _transfer_settings(self, admin: User) -> None:
        """The city's side of the 総合振込 file, sample values (サンプル): the designated bank's real codes,
        an invented 委託者コード and account number. The demo has the training setting on (研修用: a bank result
        may be recorded before the transfer date), so that the README's walk-through ends in one sitting on any
        day — the earliest transfer date is business days ahead, and a Saturday's is the Tuesday after. The row's
        history says so, the payment pages say so while it is on, and each early result is marked; production
        leaves it off (its default) and the admin can untick it here too."""
        if not TransferSettings.objects.exists():
            settings = TransferSettings.objects.create(
                requester_code="0000012345", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", branch_code="001",
                account_type="2", account_number="0000001", early_results=True,
            )
            label = TransferSettings._meta.get_field("early_results").verbose_name
            record_event(actor=admin, subject=settings, action="admin_change_add",
                         note=f"デモの準備（setup_demo）で作成しました。「{label}」を有効にしています（デモ用）。")

    def _link_treasurer(self, treasurer: User, head: User) -> None:
        """The demo 会計 is a member (role treasurer) of the head's association, from the start of the 年度."""
        if Representative.objects.filter(user=treasurer).exists():
            return
        term = Representative.objects.current().heads().filter(user=head).select_related("organization").first()
        if term is None:
            return
        org = term.organization
        Representative.objects.create(organization=org, user=treasurer, name="会計 花子（デモ）", title="会計",
                                      role=MemberRole.TREASURER, started_on=term.started_on)
        treasurer.display_name = f"{org.name} 会計（デモ）"
        treasurer.save(update_fields=["display_name"])

    def _link_head(self, head: User) -> None:
        if Representative.objects.filter(user=head).exists():
            return
        first = Organization.objects.filter(is_demo=True, kind=OrganizationKind.JICHIKAI).order_by("code").first()
        if first is None:
            return
        term = first.representatives.heads().filter(ended_on__isnull=True).first()
        if term:
            term.user = head
            term.save(update_fields=["user"])
            head.display_name = f"{first.name} {term.title} {term.name}（デモ）"
            head.save(update_fields=["display_name"])
