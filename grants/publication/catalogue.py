"""The public catalogue (各種助成・補助金制度の情報提供): the city's programmes with their published guide and the
other funders' programmes, as plain entries for the public pages and the public API.

``search(...)`` filters by who you are (``ApplicantKind``), what you do (a ``Topic``), a keyword and 募集中のみ;
``lookup(kind, pk)`` reads one entry. A city programme's amount is said in plain Japanese from the rule of its
current programme-year (``amount_wording``: 「対象経費の3分の2以内（上限30万円）」), its window from the rule's
application dates or, for a programme with calls (募集, ``grants.competitive``), from its published calls.
Only published guides, published other programmes and published calls appear: nothing personal is read.
A search costs the same few queries whatever the number of entries.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Prefetch
from django.utils import timezone

from grants.competitive.models import Call, CallStatus
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of
from grants.programmes.describe import describe_rule, merged_spans, year_spans
from grants.programmes.models import AmountBasis, ComponentKind, FormulaComponent, ProgrammeYear

from .models import ApplicantKind, FunderKind, FunderProgramme, ProgrammeGuide, Topic

CITY = "city"  # an entry's kind: a city programme (its ProgrammeGuide's pk)
OTHER = "other"  # an entry's kind: another funder's programme (its FunderProgramme's pk)
KINDS = (CITY, OTHER)
CITY_FUNDER = "山口市"
T = TypeVar("T")

# Where today is in a window (code, words).
UPCOMING, OPEN, CLOSED, UNKNOWN = "upcoming", "open", "closed", "unknown"
PHASE_WORDS = {UPCOMING: "受付前", OPEN: "受付中", CLOSED: "受付終了", UNKNOWN: "時期は実施団体の案内をご覧ください"}


@dataclass(frozen=True)
class CallEntry:
    """A published call (募集) of a city programme: its window (inclusive dates) and where today is in it."""

    pk: int
    title: str
    opens_on: dt.date
    closes_on: dt.date
    phase: str
    phase_label: str


@dataclass(frozen=True)
class CatalogueEntry:
    """One programme as the public sees it. ``kind`` is ``CITY`` or ``OTHER``; ``pk`` the guide's or the other
    programme's id (with ``kind``, the key of ``lookup``). ``amount`` is one line of plain Japanese;
    ``amount_details`` the rule's sentences (city only). Dates are inclusive; ``phase`` one of ``upcoming``,
    ``open``, ``closed``, ``unknown`` (an other programme without dates). ``url`` is the funder's own page
    (other programmes only); ``calls`` the city programme's published calls."""

    kind: str
    pk: int
    title: str
    funder: str
    funder_kind_label: str
    summary: str
    applicant_kinds: tuple[str, ...]  # ApplicantKind codes
    applicant_kind_labels: tuple[str, ...]
    eligibility: str
    topics: tuple[str, ...]
    topic_ids: tuple[int, ...]
    amount: str
    amount_details: tuple[str, ...]
    fiscal_year_label: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    phase: str
    phase_label: str
    funded: tuple[str, ...]
    documents: tuple[str, ...]
    how_to_apply: str
    contact_section: str
    contact_phone: str
    url: str
    calls: tuple[CallEntry, ...]
    updated_at: dt.datetime

    @property
    def is_open(self) -> bool:
        """Whether applications are accepted today (募集中)."""
        return self.phase == OPEN


# -- amounts in words --------------------------------------------------------------------------------------------

def yen_words(amount: int) -> str:
    """Whole yen as a citizen reads it: 300000 → 「30万円」, 1500000 → 「150万円」, 123456 → 「123,456円」."""
    if amount >= 10_000 and amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return f"{amount:,}円"


def rate_words(numerator: int, denominator: int) -> str:
    """A rate as the 要綱 says it: 2/3 → 「3分の2」, 1/1 → 「全額」 (the fraction as entered, not reduced)."""
    return "全額" if numerator == denominator else f"{denominator}分の{numerator}"


def _rate_part(numerator: int, denominator: int) -> str:
    words = rate_words(numerator, denominator)
    return words if numerator == denominator else f"{words}以内"


_COMPONENT_WORDS: dict[str, str] = {
    ComponentKind.FLAT: "基本額",
    ComponentKind.PER_HOUSEHOLD: "世帯数に応じた額",
    ComponentKind.PER_CAPITA: "人口に応じた額",
    ComponentKind.STAFF_COST: "事務局員の人件費",
    ComponentKind.ACTUAL_COST: "運営経費の実費",
}


def _components_words(components: Sequence[FormulaComponent]) -> str:
    """「基本額と世帯数に応じた額」: what the formula adds up, each kind once, in the rule's order."""
    words: list[str] = []
    for component in components:
        if component.kind == ComponentKind.PER_UNIT and component.measure is not None:
            word = f"{component.measure.name}に応じた額"
        else:
            word = _COMPONENT_WORDS.get(component.kind, component.label)
        if word not in words:
            words.append(word)
    return "と".join(words)


def _limits(rule: ProgrammeYear) -> list[str]:
    """The floor and cap in words: ["下限1万円", "上限30万円"], or by repeat year
    ["上限 1年目15万円、2年目以降10万円"]."""
    caps = merged_spans(year_spans(rule), lambda span: span.cap_amount)
    parts: list[str] = []
    if rule.amount_basis == AmountBasis.FORMULA and rule.floor_amount is not None:
        parts.append(f"下限{yen_words(rule.floor_amount)}")
    if len(caps) == 1:
        if caps[0][1] is not None:
            parts.append(f"上限{yen_words(caps[0][1])}")
    else:
        parts.append("上限 " + "、".join(f"{label}{'なし' if cap is None else yen_words(cap)}"
                                         for label, cap in caps))
    return parts


def _bracket(parts: list[str]) -> str:
    return f"（{'・'.join(parts)}）" if parts else ""


def _cost_words(rule: ProgrammeYear) -> str:
    """The share of eligible cost: 「対象経費の3分の2以内」, by repeat year 「対象経費の1年目は3分の2以内、2年目以降は
    2分の1以内」, or with marginal bands 「対象経費のうち10万円までの部分の全額と、それを超える部分の2分の1」."""
    bands = list(rule.cost_bands.all())
    if bands:
        parts = []
        for band in bands:
            name = "それを超える部分" if band.up_to is None else f"{yen_words(band.up_to)}までの部分"
            if band.rate_numerator:
                parts.append(f"{name}の{rate_words(band.rate_numerator, band.rate_denominator)}")
            if band.up_to is None:
                break
        return "対象経費のうち" + "と、".join(parts)
    rates = merged_spans(year_spans(rule), lambda span: _rate_part(span.rate_numerator, span.rate_denominator))
    if len(rates) == 1:
        return f"対象経費の{rates[0][1]}"
    return "対象経費の" + "、".join(f"{label}は{words}" for label, words in rates)


def amount_wording(rule: ProgrammeYear) -> str:
    """The amount of ``rule`` in one line of plain Japanese, derived from its data (never per programme):
    COST 「対象経費の3分の2以内（上限30万円）」 (with components: 「対象経費の全額（基本額と世帯数に応じた額の合計が
    限度）」);
    COST_PLUS 「基本額に、対象経費の2分の1以内を加えた額（上限…）」; FORMULA 「基本額と世帯数に応じた額の合計
    （下限1万円・上限30万円）」 or, with no components, 「算定式による額」. Reads the prefetched components (and their
    measures), cost bands and repeat steps; raises nothing."""
    components = list(rule.components.all())
    limits = _limits(rule)
    if rule.amount_basis == AmountBasis.COST:
        formula = [f"{_components_words(components)}の合計が限度"] if components else []
        return f"{_cost_words(rule)}{_bracket(formula + limits)}"
    if rule.amount_basis == AmountBasis.COST_PLUS:
        base = _components_words(components)
        return f"{base}に、{_cost_words(rule)}を加えた額{_bracket(limits)}" if base else \
            f"{_cost_words(rule)}{_bracket(limits)}"
    if components:
        return f"{_components_words(components)}の合計{_bracket(limits)}"
    return f"算定式による額{_bracket(limits)}"


# -- choosing the year, the window and the calls -----------------------------------------------------------------

def current_year(years: Iterable[ProgrammeYear], today: dt.date) -> ProgrammeYear | None:
    """The rule a citizen asks about today: this 年度's, else the next one already set, else the latest past one."""
    fiscal_year = fiscal_year_of(today)
    ordered = sorted(years, key=lambda year: year.fiscal_year)
    for year in ordered:
        if year.fiscal_year == fiscal_year:
            return year
    later = [year for year in ordered if year.fiscal_year > fiscal_year]
    return later[0] if later else (ordered[-1] if ordered else None)


def phase_of(opens_on: dt.date | None, closes_on: dt.date | None, today: dt.date) -> str:
    """Where ``today`` is in a window of inclusive dates; ``unknown`` when a date is missing."""
    if opens_on is None or closes_on is None:
        return UNKNOWN
    if today < opens_on:
        return UPCOMING
    return CLOSED if today > closes_on else OPEN


def _calls(years: Iterable[ProgrammeYear], today: dt.date) -> list[CallEntry]:
    """The programme's published calls of this 年度 or later, by window."""
    start, _ = fiscal_year_bounds(fiscal_year_of(today))
    found = [call for year in years for call in year.calls.all() if call.closes_on >= start]
    found.sort(key=lambda call: (call.opens_on, call.pk))
    return [CallEntry(call.pk, str(call), call.opens_on, call.closes_on,
                      phase_of(call.opens_on, call.closes_on, today),
                      PHASE_WORDS[phase_of(call.opens_on, call.closes_on, today)]) for call in found]


def _window(calls: list[CallEntry], year: ProgrammeYear | None) -> tuple[dt.date | None, dt.date | None]:
    """The window an entry shows: the open call's, else the next call's, else the last call's; without calls,
    the rule's application dates."""
    if calls:
        chosen = next((c for c in calls if c.phase == OPEN), None) or next(
            (c for c in calls if c.phase == UPCOMING), None) or calls[-1]
        return chosen.opens_on, chosen.closes_on
    if year is None:
        return None, None
    return year.application_opens, year.application_closes


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _kind_labels(codes: Sequence[str]) -> tuple[str, ...]:
    labels = dict(ApplicantKind.choices)
    return tuple(str(labels[code]) for code in codes if code in labels)


# -- entries -----------------------------------------------------------------------------------------------------

def _guides(pk: int | None = None) -> list[ProgrammeGuide]:
    """Published guides (or the one ``pk``) with their programme's years, rules and published calls: 9 queries."""
    rules = ProgrammeYear.objects.prefetch_related(
        "components__bands", "components__measure", "repeat_steps", "cost_bands",
        Prefetch("calls", queryset=Call.objects.filter(status=CallStatus.PUBLISHED).order_by("opens_on", "pk")))
    guides = ProgrammeGuide.objects.published().select_related("programme")
    if pk is not None:
        guides = guides.filter(pk=pk)
    return list(guides.prefetch_related("topics", Prefetch("programme__years", queryset=rules)))


def _others() -> list[FunderProgramme]:
    return list(FunderProgramme.objects.published().prefetch_related("topics"))


def city_entry(guide: ProgrammeGuide, today: dt.date) -> CatalogueEntry:
    """The entry of a published guide, its years, rules and calls prefetched (``_guides``)."""
    years = list(guide.programme.years.all())
    year = current_year(years, today)
    calls = _calls(years, today)
    opens_on, closes_on = _window(calls, year)
    phase = phase_of(opens_on, closes_on, today)  # with calls, the open call's window when one is open
    topics = list(guide.topics.all())
    label = "" if year is None else year.fiscal_year_label + (f"（{year.label}）" if year.label else "")
    return CatalogueEntry(
        kind=CITY, pk=guide.pk, title=guide.programme.name, funder=CITY_FUNDER, funder_kind_label="山口市の制度",
        summary=guide.summary, applicant_kinds=tuple(guide.applicant_kinds),
        applicant_kind_labels=_kind_labels(guide.applicant_kinds), eligibility=guide.eligibility,
        topics=tuple(t.name for t in topics), topic_ids=tuple(t.pk for t in topics),
        amount="" if year is None else amount_wording(year),
        amount_details=() if year is None else tuple(describe_rule(year)),
        fiscal_year_label=label, opens_on=opens_on, closes_on=closes_on,
        phase=phase, phase_label=PHASE_WORDS[phase] if phase != UNKNOWN else "受付期間は未定です",
        funded=_lines(guide.funded), documents=_lines(guide.documents), how_to_apply=guide.how_to_apply,
        contact_section=guide.contact_section, contact_phone=guide.contact_phone, url="", calls=tuple(calls),
        updated_at=guide.updated_at,
    )


def other_entry(other: FunderProgramme, today: dt.date) -> CatalogueEntry:
    """The entry of a published other funder's programme, its topics prefetched (``_others``)."""
    topics = list(other.topics.all())
    phase = phase_of(other.opens_on, other.closes_on, today)
    years = {fiscal_year_of(day) for day in (other.opens_on, other.closes_on) if day is not None}
    return CatalogueEntry(
        kind=OTHER, pk=other.pk, title=other.title, funder=other.funder,
        funder_kind_label=FunderKind(other.funder_kind).label, summary=other.summary,
        applicant_kinds=tuple(other.applicant_kinds), applicant_kind_labels=_kind_labels(other.applicant_kinds),
        eligibility=other.eligibility, topics=tuple(t.name for t in topics), topic_ids=tuple(t.pk for t in topics),
        amount=other.amount_text, amount_details=(),
        fiscal_year_label=fiscal_year_label(min(years)) if len(years) == 1 else "",
        opens_on=other.opens_on, closes_on=other.closes_on, phase=phase, phase_label=PHASE_WORDS[phase],
        funded=(), documents=(), how_to_apply="", contact_section="", contact_phone="", url=_web_address(other.url),
        calls=(),
        updated_at=other.updated_at,
    )


def _web_address(url: str) -> str:
    """``url`` when it is an http(s) address, else empty: a row written past the admin's validation (a shell, a
    data import) never puts a ``javascript:`` link on a public page."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _normal(text: str) -> str:
    """Text folded for a keyword match: full-width and half-width alike (NFKC), case-insensitive."""
    return unicodedata.normalize("NFKC", text).casefold()


def _matches(entry: CatalogueEntry, words: list[str]) -> bool:
    haystack = _normal(" ".join((entry.title, entry.funder, entry.summary, entry.eligibility, entry.amount,
                                 *entry.topics, *entry.funded, *entry.applicant_kind_labels)))
    return all(word in haystack for word in words)


def search(*, applicant_kind: str = "", topic_id: int | None = None, keyword: str = "", open_only: bool = False,
           today: dt.date | None = None) -> list[CatalogueEntry]:
    """Published entries, the city's first (by programme code), then the other funders' (by kind and title).

    ``applicant_kind``: an ``ApplicantKind`` code (empty = anyone; an unknown code matches nothing);
    ``topic_id``: a ``Topic`` pk (None = any); ``keyword``: words separated by spaces, all of which must appear
    in the title, funder, summary, eligibility, amount, topics or funded items (width and case folded);
    ``open_only``: only entries accepting applications on ``today`` (default: today, local time). An other
    programme without dates is never 募集中. A fixed number of queries (11) whatever the number of entries."""
    today = today or timezone.localdate()
    entries = [city_entry(guide, today) for guide in _guides()] + [other_entry(o, today) for o in _others()]
    words = [_normal(word) for word in keyword.split() if word.strip()]
    return [entry for entry in entries
            if (not applicant_kind or applicant_kind in entry.applicant_kinds)
            and (topic_id is None or topic_id in entry.topic_ids)
            and (not open_only or entry.is_open)
            and (not words or _matches(entry, words))]


def lookup(kind: str, pk: int, *, today: dt.date | None = None) -> CatalogueEntry | None:
    """The published entry ``kind`` (``CITY`` or ``OTHER``) ``pk``, or None when it is missing, unpublished or
    of an unknown kind (a public page answers 404 for all three)."""
    today = today or timezone.localdate()
    if kind == CITY:
        guide = next(iter(_guides(pk)), None)
        return None if guide is None else city_entry(guide, today)
    if kind == OTHER:
        other = FunderProgramme.objects.published().prefetch_related("topics").filter(pk=pk).first()
        return None if other is None else other_entry(other, today)
    return None


def topics() -> list[Topic]:
    """The topics a search may choose, in their order (one query)."""
    return list(Topic.objects.all())
