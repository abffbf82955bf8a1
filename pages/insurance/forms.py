"""Forms of the insurance pages: the 事故報告書 and its people and documents, the judgment, the claim's treatment,
documents and the insurer's answer, and the filters of the lists.

Forms only parse and label input (dates, whole yen, the outpatient days written one a line); every rule about who
may do what, when, and with which values is checked by the service the view calls (``services``, ``claims``,
``reminders``). No form is ever saved: views hand ``cleaned_data`` to a service.
"""
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from grants.accounts.models import User
from grants.core.fiscal import wareki
from grants.core.uploads import MAX_UPLOAD_BYTES
from grants.insurance.claims import MAX_DAYS_LISTED
from grants.insurance.models import (
    AccidentReport,
    AttachmentKind,
    Claim,
    ClaimDocumentKind,
    ConditionKind,
    InvolvedPerson,
    PolicyCondition,
    ReminderKind,
    ReportStatus,
)
from grants.insurance.services import PERSON_FIELDS, REPORT_FIELDS
from grants.organizations.models import Organization
from pages.forms import form_field

DATE_FORMAT = "%Y-%m-%d"
DATE = forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT)
DATE_ERRORS = {"invalid": "日付を正しく入力してください（例: 2026-04-01）。"}
YEN_ERRORS = {"invalid": "半角数字（円単位の整数）で入力してください。"}
MAX_YEN = 10**12
MAX_INPATIENT_ROWS = 5
MAX_MB = MAX_UPLOAD_BYTES // 1024 // 1024


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, error_messages=DATE_ERRORS,
                           help_text=help_text)


def _yen_field(label: str, *, minimum: int = 1, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=MAX_YEN, required=required,
                              error_messages=YEN_ERRORS, help_text=help_text)


def _text_field(label: str, *, max_length: int = 2000, required: bool = True, rows: int = 2,
                help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


# -- サービスの誤りを項目に表示する ------------------------------------------------------------------------------

_NOTE = re.compile(r"（[^（）]*）$")  # 「事故の日（いつ）」 is named 「事故の日」 by the services


def _service_labels(form: forms.BaseForm) -> dict[str, str]:
    """The names a service gives the form's visible fields → the field: each label, the label without its
    closing note in brackets, and the form's own ``service_labels`` (aliases: 「回答日」 names the payment form's
    「支払日（保険会社の回答日）」)."""
    labels: dict[str, str] = {}
    for name, field in form.fields.items():
        if field.widget.is_hidden or not field.label:
            continue
        labels.setdefault(str(field.label), name)
        labels.setdefault(_NOTE.sub("", str(field.label)), name)
    labels.update({alias: name for alias, name in getattr(form, "service_labels", {}).items()
                   if name in form.fields})
    return labels


def attach_service_error(form: forms.BaseForm, error: Exception | str) -> None:
    """Show a service's refusal on ``form``: each 「項目: 内容」 part of the message (``_validated`` joins several)
    goes to the field that label or alias names, as 「内容」; what names no field of the form (「この操作は保険担当の
    みが行えます。」) becomes an error of the whole form, so the form's summary (``_form_errors.html``) announces it."""
    message = str(error).strip()
    form.errors  # noqa: B018 - validates a bound form once, so errors can be added
    labels = _service_labels(form)
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    parts = list(re.finditer(rf"(?:^|(?<=\s))({alternatives}): ", message)) if labels else []
    if not parts:
        form.add_error(None, message)
        return
    if lead := message[:parts[0].start()].strip():
        form.add_error(None, lead)
    for part, after in zip(parts, [*parts[1:], None], strict=True):
        form.add_error(labels[part.group(1)], message[part.end():after.start() if after else None].strip())


# -- 事故報告書 ------------------------------------------------------------------------------------------------

# The fields of the report in the groups the page shows them in (each group is one fieldset).
REPORT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("活動", ("activity_name", "plan_entry", "activity_description", "reward", "participants_count")),
    ("事故の状況（いつ・どこで・だれが・どうして・どうなった）",
     ("accident_date", "accident_time", "place", "who", "how", "outcome")),
    ("事故の種類（当てはまるものをすべて選んでください）",
     ("kind_injury", "kind_liability_bodily", "kind_liability_property")),
)


class ReportForm(forms.ModelForm):
    """The group's part of the 事故報告書 (``services.REPORT_FIELDS``), for ``create_report`` and
    ``update_report``. ``organizations``: the groups the user may report for (creation only)."""

    organization = forms.ModelChoiceField(label="団体", queryset=Organization.objects.none(), empty_label=None)

    class Meta:
        model = AccidentReport
        fields = REPORT_FIELDS
        widgets = {
            "accident_date": DATE,
            "accident_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "activity_description": forms.Textarea(attrs={"rows": 3}),
            "how": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "reward": forms.RadioSelect,
        }
        help_texts = {
            "activity_name": "例: 河川清掃、子ども見守り活動",
            "activity_description": "どのような活動を、何のために行っていたかを書いてください。",
            "reward": "実費の交通費を除き、謝礼・報酬のある活動は補償の対象外です。",
            "participants_count": "分かる範囲で入力してください。",
            "accident_time": "分かる範囲で入力してください（例: 09:30）。",
            "place": "例: 椹野川河川敷（○○橋付近）",
            "who": "例: 参加者の1人が。けがをした方・関係者の氏名などは、保存後に「関係者」に登録してください。",
            "how": "事故が起きた原因と、その時の状況を書いてください。",
            "outcome": "けがの部位・程度や、壊れた物とその損害の程度を書いてください。",
        }
        error_messages = {"accident_date": DATE_ERRORS,
                          "accident_time": {"invalid": "時刻を正しく入力してください（例: 09:30）。"}}

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
        else:
            form_field(self, "organization", forms.ModelChoiceField).queryset = organizations

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields in their fieldsets, the 団体 first when it is asked."""
        groups = [(legend, [self[name] for name in names]) for legend, names in REPORT_GROUPS]
        if "organization" in self.fields:
            groups[0][1].insert(0, self["organization"])
        return groups

    def report_data(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}


class PersonForm(forms.ModelForm):
    """A person involved (関係者) for ``services.add_person``."""

    class Meta:
        model = InvolvedPerson
        fields = PERSON_FIELDS
        widgets = {"birth_date": DATE, "detail": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "role": "活動の指導者・責任者、参加者（会員など）、活動とは関係のない第三者から選んでください。",
            "harm": "指導者・参加者のけがは「本人のけが」、第三者のけが・物の損害は賠償責任に当たります。"
                    "けが・損害のない方（目撃者など）は「けが・損害なし」を選んでください。",
            "name_kana": "ひらがなで入力してください（カタカナで入力したときは、ひらがなに直して保存します）。",
            "phone": "例: 083-000-0000",
            "detail": "けがの部位・程度、壊れた物など",
        }
        error_messages = {"birth_date": DATE_ERRORS}

    def person_data(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="書類", choices=[("", "選んでください"), *AttachmentKind.choices],
                             help_text="「遅延理由書」は、提出のときに期限を過ぎた理由を入力すれば、書類として"
                                       "添付しなくてもかまいません（書面で用意したときは添付できます）。")
    title = forms.CharField(label="内容", max_length=200, help_text="例: 令和8年度 会員名簿")
    file = forms.FileField(label="ファイル", help_text=f"PDF・Word・Excel・画像（JPEG/PNG）、{MAX_MB}MBまで")


class SubmitForm(forms.Form):
    """Submission (``services.submit_report``). ``due_date_passed``: the report's 報告期限 when it has passed; the
    遅延理由書 is then required, and marked 必須 on the page."""

    delay_reason = _text_field("遅延理由書（期限を過ぎた理由）", required=False, rows=3,
                               help_text="報告期限を過ぎて提出するときは、期限までに報告できなかった理由を書いてください。")

    def __init__(self, *args: Any, due_date_passed: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if due_date_passed is not None:
            field = self.fields["delay_reason"]
            field.required = True
            field.error_messages["required"] = (f"報告期限（{wareki(due_date_passed)}）を過ぎています。"
                                                "期限までに報告できなかった理由を入力してください。")


class WithdrawForm(forms.Form):
    reason = _text_field("取下げの理由")


class ReturnForm(forms.Form):
    note = _text_field("差戻しの理由", help_text="団体に直してほしい点を具体的に書いてください。")


class SendFormsForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)


YES, NO = "yes", "no"


class JudgmentForm(forms.Form):
    """The 保険担当's judgment (``services.judge_report``): for every condition of the policy whether it is met
    (満たす／満たさない) and for every exclusion whether it applies (該当しない／該当する), each with its reason,
    and the 所見."""

    note = _text_field("所見（任意）", required=False, rows=3)

    def __init__(self, *args: Any, conditions: Iterable[PolicyCondition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conditions = list(conditions)
        for c in self.conditions:
            if c.kind == ConditionKind.CONDITION:
                choices = [(YES, "満たす"), (NO, "満たさない")]
            else:
                choices = [(NO, "該当しない"), (YES, "該当する")]
            self.fields[f"holds_{c.pk}"] = forms.ChoiceField(
                label=c.label, choices=choices, widget=forms.RadioSelect, help_text=c.guidance,
                error_messages={"required": "どちらかを選んでください。"})
            self.fields[f"reason_{c.pk}"] = forms.CharField(
                label=f"「{c.label}」の理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                help_text="確認した書類と、そう判断した理由を書いてください。")
        self.order_fields([*(name for name in self.fields if name != "note"), "note"])
        # services.judge_report names a finding by its label in 「」 and the note 「判定の所見」.
        self.service_labels = {"判定の所見": "note", **{f"「{c.label}」": f"holds_{c.pk}" for c in self.conditions}}

    def rows(self) -> list[tuple[PolicyCondition, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"holds_{c.pk}"], self[f"reason_{c.pk}"]) for c in self.conditions]

    def findings(self) -> dict[int, tuple[bool, str]]:
        return {c.pk: (self.cleaned_data[f"holds_{c.pk}"] == YES, self.cleaned_data[f"reason_{c.pk}"])
                for c in self.conditions}


# -- 通院日の入力 ----------------------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_RANGE = re.compile(r"\s*[〜~]\s*")
DAYS_HELP = ("通院した日を1日ずつ、カレンダーから選んでください（事故の日から今日まで）。同じ日は1回だけ入力します。"
             "欄が足りないときは「通院日の欄を増やす」を押すか、保存すると空の欄が増えます。空の欄は無視します。")


MAX_LINE_ERRORS = 10  # a pasted page of garbage gets its first wrong lines named and the rest counted
MAX_ECHO = 20  # characters of a wrong line repeated in its message


def _shown(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"


def _parse_day(text: str, line: int) -> dt.date:
    shown = _shown(text)
    match = _ISO.fullmatch(text)
    if match is None:
        raise ValidationError(f"{line}行目: 「{shown}」を日付として読めません。2026-05-01 の形で入力してください。")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValidationError(f"{line}行目: 「{shown}」という日はありません。") from error


class _OutOfBounds(ValidationError):
    """A line that is a day, but not between the accident day and today."""


def _span(earliest: dt.date | None, latest: dt.date | None) -> str:
    return f"（{wareki(earliest)}〜{wareki(latest)}）" if earliest and latest else ""


def _parse_line(line: str, number: int, earliest: dt.date | None = None,
                latest: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first, last) day of one line (a day is a range of one day), within ``earliest`` (the accident day) and
    ``latest`` (today) when they are given."""
    first, last = _parse_range(line, number)
    if earliest is not None and first < earliest:
        raise _OutOfBounds(f"{number}行目: 「{_shown(line)}」は事故の日（{wareki(earliest)}）より前です。")
    if latest is not None and last > latest:
        raise _OutOfBounds(f"{number}行目: 「{_shown(line)}」は今日（{wareki(latest)}）より後です。")
    return first, last


def _parse_range(line: str, number: int) -> tuple[dt.date, dt.date]:
    parts = _RANGE.split(line)
    if len(parts) == 1:
        day = _parse_day(parts[0], number)
        return day, day
    if len(parts) != 2:
        raise ValidationError(f"{number}行目: 期間は「始まり〜終わり」の形で1つだけ書いてください。")
    first, last = _parse_day(parts[0], number), _parse_day(parts[1], number)
    if last < first:
        raise ValidationError(f"{number}行目: 期間の終わりが始まりより前です。")
    if (last - first).days >= MAX_DAYS_LISTED:
        raise ValidationError(f"{number}行目: 期間が長すぎます（{MAX_DAYS_LISTED}日まで）。")
    return first, last


def parse_outpatient_days(text: str, *, earliest: dt.date | None = None,
                          latest: dt.date | None = None) -> list[dt.date]:
    """The days written in ``text``, one a line (``YYYY-MM-DD``) or as a range (``YYYY-MM-DD〜YYYY-MM-DD``,
    both ends included); full-width digits and 「～」 are accepted, blank lines ignored. Sorted, without
    repeats. Raises ``ValidationError`` naming every wrong line at once (「3行目: …」, the first
    ``MAX_LINE_ERRORS`` of them, then how many more): a line that is no day, or a day before ``earliest`` (the
    accident day) or after ``latest`` (today) when they are given; or when the lines list more than
    ``MAX_DAYS_LISTED`` days, a day listed twice counted twice: reading stops there, so no paste makes the server
    count days for long."""
    days: set[dt.date] = set()
    errors: list[ValidationError] = []
    wrong = listed = 0
    outside = False
    for number, raw in enumerate(unicodedata.normalize("NFKC", text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            first, last = _parse_line(line, number, earliest, latest)
        except ValidationError as error:
            wrong += 1
            outside = outside or isinstance(error, _OutOfBounds)
            if wrong <= MAX_LINE_ERRORS:
                errors.append(error)
            continue
        listed += (last - first).days + 1
        if listed > MAX_DAYS_LISTED:
            break
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    if wrong > MAX_LINE_ERRORS:
        errors.append(ValidationError(f"ほかに{wrong - MAX_LINE_ERRORS:,}行、読めない行があります。"))
    if outside:
        errors.append(ValidationError(f"事故の日から今日までの日付を入力してください{_span(earliest, latest)}。"))
    if listed > MAX_DAYS_LISTED:
        errors.append(ValidationError(f"通院日は{MAX_DAYS_LISTED}日以内で入力してください。"))
    if errors:
        raise ValidationError(errors)
    return sorted(days)


def format_days(days: Iterable[dt.date]) -> str:
    """The days as ``parse_outpatient_days`` reads them, consecutive days written as one range."""
    lines: list[str] = []
    run: list[dt.date] = []
    for day in sorted(set(days)):
        if run and day == run[-1] + dt.timedelta(days=1):
            run.append(day)
            continue
        if run:
            lines.append(_run_text(run))
        run = [day]
    if run:
        lines.append(_run_text(run))
    return "\n".join(lines)


def _run_text(run: list[dt.date]) -> str:
    if len(run) == 1:
        return run[0].strftime(DATE_FORMAT)
    return f"{run[0]:%Y-%m-%d}〜{run[-1]:%Y-%m-%d}"


BLANK_DAY_ROWS = 3  # empty date rows after the recorded days (static/js/outpatient_days.js adds more)


def _day_rows(value: object) -> list[str]:
    """The outpatient days as rows: a list as posted (one value per date box), or text one day a line."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value or "").splitlines()


class OutpatientDayRows(forms.Widget):
    """One date box (``<input type="date">``) per outpatient day, all named like the field, then
    ``BLANK_DAY_ROWS`` empty ones; each recorded day is shown in 和暦 beside its box."""

    template_name = "insurance/_outpatient_days.html"
    earliest: dt.date | None = None
    latest: dt.date | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return list(data.getlist(name)) if hasattr(data, "getlist") else _day_rows(data.get(name))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base = (attrs or {}).get("id", f"id_{name}")
        rows: list[dict[str, object]] = []
        for text in [*(r.strip() for r in _day_rows(value) if r.strip()), *[""] * BLANK_DAY_ROWS]:
            try:
                day: dt.date | None = dt.date.fromisoformat(text) if text else None
            except ValueError:
                day = None
            rows.append({"id": f"{base}_{len(rows) + 1}", "number": len(rows) + 1, "value": text,
                         "wareki": wareki(day) if day else ""})
        context["rows"] = rows
        context["describedby"] = (attrs or {}).get("aria-describedby") or f"{base}_helptext"
        context["min"] = self.earliest.isoformat() if self.earliest else ""
        context["max"] = self.latest.isoformat() if self.latest else ""
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's template (templates/insurance/), which the form renderer's own engine does not search.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308


class OutpatientDaysField(forms.Field):
    """The outpatient days, one date box a day (``OutpatientDayRows``); cleans to a sorted list of dates. Each
    row is read as ``parse_outpatient_days`` reads a line (a day, or a range typed by hand); a day entered on two
    rows, a day before the accident, after today or past the policy's outpatient window (``window_end``) is named
    by its row."""

    widget = OutpatientDayRows
    earliest: dt.date | None = None  # the accident day, when the form knows it
    latest: dt.date | None = None  # today
    window_end: dt.date | None = None  # the last day of the policy's outpatient window

    def clean(self, value: object) -> list[dt.date]:
        rows = [unicodedata.normalize("NFKC", r).strip() for r in _day_rows(value)]
        errors: list[ValidationError] = []
        seen: dict[str, int] = {}
        for number, row in enumerate(rows, start=1):
            if not row:
                continue
            if row in seen:
                errors.append(ValidationError(f"{number}行目: 「{_shown(row)}」は{seen[row]}行目と同じ日です。"
                                              "同じ日は1行にしてください。"))
                continue
            seen[row] = number
            errors.extend(self._beyond_window(row, number))
        days: list[dt.date] = []
        try:
            days = parse_outpatient_days("\n".join(rows), earliest=self.earliest, latest=self.latest)
        except ValidationError as error:
            errors[:0] = error.error_list
        if errors:
            raise ValidationError(errors)
        return days

    def _beyond_window(self, row: str, number: int) -> list[ValidationError]:
        if self.window_end is None:
            return []
        try:
            _, last = _parse_range(row, number)
        except ValidationError:
            return []  # parse_outpatient_days names it
        if last <= self.window_end or (self.latest is not None and last > self.latest):
            return []
        return [ValidationError(f"{number}行目: 「{_shown(row)}」は通院の対象期間"
                                f"（{_span(self.earliest, self.window_end)[1:-1]}）の後です。")]


# -- 保険金請求 ------------------------------------------------------------------------------------------------

IN_TREATMENT, RECOVERED = "in_treatment", "recovered"


class Treatment(TypedDict):
    """The keyword arguments of ``claims.record_treatment`` that a ``TreatmentForm`` gives."""

    in_treatment: bool
    recovered_on: dt.date | None
    inpatient: list[tuple[dt.date, dt.date]]
    outpatient: list[dt.date]
    surgeries_inpatient: int
    surgeries_outpatient: int
    died: bool
    disability_percent: Decimal | None


class TreatmentForm(forms.Form):
    """The treatment of an injury claim (``claims.record_treatment``): whether treatment goes on or the day it
    ended, up to ``MAX_INPATIENT_ROWS`` inpatient stays (入院日・退院日), the outpatient days, surgeries, and a
    death or a disability share. Replaces what was recorded. Given the ``accident_date`` and ``today``, every
    inpatient row and every outpatient line outside them is named at once (the service checks them again, but
    stops at the first and cannot say which row the page showed it on)."""

    state = forms.ChoiceField(label="治療の状況", widget=forms.RadioSelect,
                              choices=[(IN_TREATMENT, "治療中"), (RECOVERED, "治療を終えた")])
    recovered_on = _date_field("治療を終えた日", required=False, help_text="治療を終えたときに入力してください。")
    outpatient = OutpatientDaysField(label="通院日", required=False, help_text=DAYS_HELP)
    surgeries_inpatient = forms.IntegerField(label="入院中の手術（回）", min_value=0, max_value=20, initial=0)
    surgeries_outpatient = forms.IntegerField(label="外来の手術（回）", min_value=0, max_value=20, initial=0)
    died = forms.BooleanField(label="事故によるけがで亡くなった", required=False)
    disability_percent = forms.DecimalField(
        label="後遺障害の割合（％）", required=False, min_value=Decimal("0.01"), max_value=Decimal(100),
        max_digits=5, decimal_places=2,
        help_text="後遺障害の等級に応じた割合（例: 4）。後遺障害がなければ空欄にしてください。")

    def __init__(self, *args: Any, accident_date: dt.date | None = None, today: dt.date | None = None,
                 window_end: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accident_date, self.today = accident_date, today
        outpatient = form_field(self, "outpatient", OutpatientDaysField)
        outpatient.earliest, outpatient.latest, outpatient.window_end = accident_date, today, window_end
        if isinstance(outpatient.widget, OutpatientDayRows):
            outpatient.widget.earliest = accident_date
            outpatient.widget.latest = min(d for d in (today, window_end) if d) if today or window_end else None
        for row in range(1, MAX_INPATIENT_ROWS + 1):
            self.fields[f"inpatient_{row}_first"] = _date_field(f"入院期間（{row}行目）の入院日", required=False)
            self.fields[f"inpatient_{row}_last"] = _date_field(f"入院期間（{row}行目）の退院日", required=False)

    @classmethod
    def initial_for(cls, claim: Claim) -> dict[str, object]:
        initial: dict[str, object] = {
            "state": IN_TREATMENT if claim.in_treatment else RECOVERED, "recovered_on": claim.recovered_on,
            "outpatient": [v.day.isoformat() for v in claim.outpatient.all()],
            "surgeries_inpatient": claim.surgeries_inpatient, "surgeries_outpatient": claim.surgeries_outpatient,
            "died": claim.died, "disability_percent": claim.disability_percent,
        }
        for row, period in enumerate(claim.inpatient.all()[:MAX_INPATIENT_ROWS], start=1):
            initial[f"inpatient_{row}_first"], initial[f"inpatient_{row}_last"] = period.first_day, period.last_day
        return initial

    def inpatient_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(row, self[f"inpatient_{row}_first"], self[f"inpatient_{row}_last"])
                for row in range(1, MAX_INPATIENT_ROWS + 1)]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for row in range(1, MAX_INPATIENT_ROWS + 1):
            first, last = data.get(f"inpatient_{row}_first"), data.get(f"inpatient_{row}_last")
            if first and not last:
                self.add_error(f"inpatient_{row}_last",
                               "退院日を入力してください（入院中のときは今日の日付）。")
            elif last and not first:
                self.add_error(f"inpatient_{row}_first", "入院日を入力してください。")
            elif first and last and last < first:
                self.add_error(f"inpatient_{row}_last", "退院日が入院日より前です。")
            elif first and last:
                self._check_stay(row, first, last)
        if data.get("state") == RECOVERED and not data.get("recovered_on") and "recovered_on" not in self.errors:
            self.add_error("recovered_on", "治療を終えた日を入力するか、「治療中」を選んでください。")
        if data.get("state") == IN_TREATMENT and data.get("recovered_on"):
            self.add_error("recovered_on",
                           "治療中のときは空欄にしてください（治療を終えたときは「治療を終えた」を選んでください）。")
        return data

    def _check_stay(self, row: int, first: dt.date, last: dt.date) -> None:
        if self.accident_date and first < self.accident_date:
            self.add_error(f"inpatient_{row}_first", f"事故の日（{wareki(self.accident_date)}）より前です。"
                                                     "事故の日から今日までの日付を入力してください。")
        if self.today and last > self.today:
            self.add_error(f"inpatient_{row}_last", "今日より後です。事故の日から今日までの日付を入力してください"
                                                    "（入院中のときは、退院日に今日の日付を入力します）。")

    def treatment(self) -> Treatment:
        """Keyword arguments of ``claims.record_treatment``."""
        data = self.cleaned_data
        periods = [(data[f"inpatient_{row}_first"], data[f"inpatient_{row}_last"])
                   for row in range(1, MAX_INPATIENT_ROWS + 1) if data.get(f"inpatient_{row}_first")]
        return {
            "in_treatment": data["state"] == IN_TREATMENT, "recovered_on": data.get("recovered_on"),
            "inpatient": periods, "outpatient": data["outpatient"],
            "surgeries_inpatient": data["surgeries_inpatient"], "surgeries_outpatient": data["surgeries_outpatient"],
            "died": data["died"], "disability_percent": data.get("disability_percent"),
        }


class DamagesForm(forms.Form):
    damages = _yen_field("損害額（円）",
                         help_text="修理費・治療費など、第三者に生じた損害の額です。見積書などを書類に登録してください。")


class ClaimDocumentForm(forms.Form):
    kind = forms.ChoiceField(label="書類", choices=[("", "選んでください"), *ClaimDocumentKind.choices])
    title = forms.CharField(label="内容", max_length=200, help_text="例: ○○整形外科 5月分の領収書")
    amount = _yen_field("金額（円）", minimum=0, required=False,
                        help_text="領収書のときは、その金額を入力してください。")
    file = forms.FileField(label="ファイル", help_text=f"PDF・JPEG・PNG、{MAX_MB}MBまで")


class ForwardForm(forms.Form):
    insurer_reference = forms.CharField(label="保険会社の受付番号（任意）", max_length=40, required=False)


class PaymentForm(forms.Form):
    service_labels = {"回答日": "paid_on"}  # claims.record_payment names the day as record_denial does

    paid_on = _date_field("支払日（保険会社の回答日）")
    amount = _yen_field("支払額（円）")
    note = _text_field("備考", required=False,
                       help_text="支払額が算定額と異なるときは、保険会社の説明を書いてください。")


class DenialForm(forms.Form):
    answered_on = _date_field("回答日")
    reason = _text_field("不支払の理由")


class ReminderForm(forms.Form):
    claim = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ReminderKind.choices, widget=forms.HiddenInput)


# -- 一覧の絞り込み ----------------------------------------------------------------------------------------------

class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *ReportStatus.choices])
    fiscal_year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=[])
    late_only = forms.BooleanField(label="期限後の報告のみ", required=False)
    organization = forms.CharField(label="団体名（一部）", required=False, max_length=120)

    def __init__(self, *args: Any, fiscal_years: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "fiscal_year", forms.ChoiceField).choices = [("", "すべて"), *fiscal_years]


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(label="閲覧者", required=False, queryset=User.objects.none(), empty_label="すべて")
    date_from = _date_field("期間（から）", required=False)
    date_to = _date_field("期間（まで）", required=False)

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "user", forms.ModelChoiceField).queryset = users

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "期間の終わりが始まりより前です。")
        return data
