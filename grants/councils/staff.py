"""事務局員 (secretariat staff) of a 地域づくり協議会: who may see them, adding a record and ending it.

The 運営支援 grant mainly pays for employing them (GRANTS.md §2), so each record keeps the pay basis and the
monthly cost in whole yen; ``SecretariatStaff.cost_in(fy)`` gives the yearly cost of a 年度.

City users see every council's staff; a council's secretary (a current representative, role
``association_head``) sees and records their own council's. Staff (協働推進課) may record for any council.
Errors: ``StaffError`` (Japanese, names the field); ``Organization.DoesNotExist`` or
``SecretariatStaff.DoesNotExist`` for a council or record the user may not see (answer 404).
"""
import datetime as dt
from typing import TypedDict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core.fiscal import wareki
from grants.core.models import concrete_field, record_event
from grants.core.workflow import ActionRefused
from grants.organizations.members import BY_HEAD_OR_TREASURER
from grants.organizations.models import Organization, OrganizationKind, PayBasis, Representative, SecretariatStaff
from grants.programmes.models import ExpenseCategory

# Sanity limits, not programme rules: they stop typing slips (an extra 0) before they reach the 算定.
MAX_MONTHLY_YEN = 2_000_000
MAX_HOURLY_YEN = 20_000
MAX_HOURS_PER_MONTH = 744  # 31 days × 24 hours

FIELDS = ("name", "role", "pay_basis", "monthly_wage", "hourly_rate", "hours_per_month",
          "social_insurance_monthly", "employed_from", "employed_until")


class StaffError(ActionRefused):
    """The record was refused. ``errors`` maps a field name ("" for the whole record) to Japanese messages;
    ``str()`` gives them all, each preceded by the field's label."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        self.errors = {"": [errors]} if isinstance(errors, str) else errors
        super().__init__(" ".join(
            (f"{_label(field)}: {message}" if field else message)
            for field, messages in self.errors.items() for message in messages
        ))


def _label(field: str) -> str:
    try:
        return str(concrete_field(SecretariatStaff, field).verbose_name)
    except Exception:  # noqa: BLE001 - a non-model key keeps its own name
        return field


def visible_councils(user: User) -> QuerySet[Organization]:
    """Councils whose staff ``user`` may see: every 協議会 for city users, those they represent today for a
    council's secretary, none otherwise."""
    councils = Organization.objects.filter(kind=OrganizationKind.KYOGIKAI)
    if not user.is_authenticated:
        return councils.none()
    if user.is_city_user:
        return councils
    return councils.filter(pk__in=Representative.objects.current().filter(user=user).values("organization_id"))


def may_record(user: User, organization: Organization) -> bool:
    """Staff for any council; for theirs, the council's own head (事務局長 or 会長) and 会計 — the wages are the
    money of the 運営支援 case, entered by those who enter its receipts (``BY_HEAD_OR_TREASURER``); a 担当者 sees
    the list and does not change it."""
    if user.role == Role.STAFF:
        return True
    return user.role == Role.ASSOCIATION_HEAD and Representative.objects.current().filter(
        user=user, organization=organization, role__in=BY_HEAD_OR_TREASURER).exists()


def may_see_names(user: User, organization: Organization) -> bool:
    """Personal names (氏名) are for city users and the council's own secretary only."""
    return user.is_city_user or (user.role == Role.ASSOCIATION_HEAD and Representative.objects.current().filter(
        user=user, organization=organization).exists())


REQUIRED = ("name", "role", "pay_basis", "employed_from")


def _check(staff: SecretariatStaff) -> None:
    """The model's own rules (field validation and ``clean()``) plus the sanity limits, as field errors."""
    errors: dict[str, list[str]] = {
        field: ["入力してください。"] for field in REQUIRED if getattr(staff, field) in (None, "")
    }
    if staff.pay_basis and staff.pay_basis not in PayBasis.values:
        errors["pay_basis"] = ["月給・時給から選んでください。"]
    if not errors:
        try:
            # The constraints repeat clean()'s rules; clean() names the field, so only it speaks.
            staff.full_clean(exclude=["organization", "recorded_by"], validate_constraints=False)
        except ValidationError as exc:
            errors = {("" if field == NON_FIELD_ERRORS else field): list(messages)
                      for field, messages in exc.message_dict.items()}
    limits = (("monthly_wage", MAX_MONTHLY_YEN, "円"), ("hourly_rate", MAX_HOURLY_YEN, "円"),
              ("hours_per_month", MAX_HOURS_PER_MONTH, "時間"),
              ("social_insurance_monthly", MAX_MONTHLY_YEN, "円"))
    for field, limit, unit in limits:
        value = getattr(staff, field)
        if field not in errors and isinstance(value, int) and value > limit:
            errors[field] = [f"{limit:,}{unit}以下で入力してください。"]
    if errors:
        raise StaffError(errors)


def _refuse_same_person(staff: SecretariatStaff) -> None:
    """One person, one record at a time: each record earns its own standard amount under the 運営支援 rule, so a
    second record of the same name over an overlapping period is refused (end the first one, then record the
    new terms)."""
    others = SecretariatStaff.objects.filter(organization=staff.organization, name=staff.name)
    if staff.employed_until is not None:
        others = others.filter(employed_from__lte=staff.employed_until)
    others = others.filter(Q(employed_until__isnull=True) | Q(employed_until__gte=staff.employed_from))
    if others.exists():
        raise StaffError({"name": [
            f"「{staff.name}」さんは、重なる期間ですでに登録されています。雇用条件が変わったときは、"
            "前の記録に雇用終了日を入れてから、新しい条件を登録してください。"]})


def add_staff(*, actor: User, organization_id: int, name: str, role: str, pay_basis: str,
              employed_from: dt.date | None, monthly_wage: int | None = None, hourly_rate: int | None = None,
              hours_per_month: int | None = None, social_insurance_monthly: int = 0,
              employed_until: dt.date | None = None) -> SecretariatStaff:
    """Record a 事務局員 of the council: role (職名), pay (月給, or 時給 × 月間の勤務時間, in whole yen), the
    employer's monthly social insurance and the period of employment. Fields of the other pay basis are
    dropped. Raises ``StaffError`` for missing or bad fields or a user who may not record."""
    with transaction.atomic():
        visible_councils(actor).get(pk=organization_id)
        organization = Organization.objects.select_for_update().get(pk=organization_id)
        if not may_record(actor, organization):
            raise StaffError("この協議会の事務局員を登録する権限がありません。")
        monthly = pay_basis == PayBasis.MONTHLY
        staff = SecretariatStaff(
            organization=organization, recorded_by=actor, name=(name or "").strip(), role=(role or "").strip(),
            pay_basis=pay_basis, monthly_wage=monthly_wage if monthly else None,
            hourly_rate=None if monthly else hourly_rate, hours_per_month=None if monthly else hours_per_month,
            social_insurance_monthly=social_insurance_monthly or 0, employed_until=employed_until,
        )
        if employed_from is not None:  # left empty otherwise, for _check to report
            staff.employed_from = employed_from
        _check(staff)
        _refuse_same_person(staff)
        staff.save()
        record_event(actor=actor, subject=staff, action="add_secretariat_staff",
                     note=f"{organization.name} {staff.role} {staff.get_pay_basis_display()} "
                          f"月額{staff.monthly_cost:,}円 {wareki(staff.employed_from)}から")
    return staff


def end_staff(*, actor: User, staff_id: int, employed_until: dt.date | None) -> SecretariatStaff:
    """Set (or correct) the last day of employment (雇用終了日). Raises ``StaffError`` for a missing date, a
    date before the start, or a user who may not record for the council."""
    with transaction.atomic():
        SecretariatStaff.objects.filter(organization__in=visible_councils(actor)).get(pk=staff_id)
        staff = SecretariatStaff.objects.select_for_update(of=("self",)).select_related("organization").get(pk=staff_id)
        if not may_record(actor, staff.organization):
            raise StaffError("この協議会の事務局員を登録する権限がありません。")
        if employed_until is None:
            raise StaffError({"employed_until": ["日付を入力してください。"]})
        before = staff.employed_until
        staff.employed_until = employed_until
        _check(staff)
        staff.save(update_fields=["employed_until"])
        was = f"（変更前 {wareki(before)}）" if before else ""
        record_event(actor=actor, subject=staff, action="end_secretariat_staff",
                     note=f"{staff.organization.name} {staff.role} 雇用終了日 {wareki(employed_until)}{was}")
    return staff


class StaffLine(TypedDict):
    """A suggested 人件費 line: the ``data`` of ``budget.add_line`` but for its kind and date."""

    staff: SecretariatStaff
    category: ExpenseCategory | None
    amount: int
    description: str


def staff_lines(case: GrantCase) -> list[StaffLine]:
    """Suggested 人件費 lines for the 年度 from the council's secretariat staff records (one per person:
    monthly cost × months employed in the 年度), for the 運営支援 application."""
    fy = case.programme_year.fiscal_year
    category = ExpenseCategory.objects.filter(is_staff_cost=True).order_by("order").first()
    suggestions: list[StaffLine] = []
    for staff in SecretariatStaff.objects.filter(organization=case.organization).order_by("employed_from", "pk"):
        cost = staff.cost_in(fy)
        if cost:
            suggestions.append({"staff": staff, "category": category, "amount": cost,
                                "description": f"{staff.role} {staff.name} 人件費（{staff.months_in(fy)}か月）"})
    return suggestions
