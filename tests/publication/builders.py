"""Builders of the catalogue's rows for the tests: a published guide of a programme, an other funder's
programme, topics."""
from __future__ import annotations

import datetime as dt

from grants.programmes.models import Programme
from grants.publication.models import ApplicantKind, FunderKind, FunderProgramme, ProgrammeGuide, Topic


def topic(name: str, order: int = 0) -> Topic:
    return Topic.objects.get_or_create(name=name, defaults={"order": order})[0]


def guide(programme: Programme, *, published: bool = True, kinds: tuple[str, ...] = (ApplicantKind.JICHIKAI,),
          topics: tuple[str, ...] = ("地域づくり",), **fields: object) -> ProgrammeGuide:
    values: dict[str, object] = {
        "summary": f"{programme.name}の案内です。", "eligibility": "市内の団体", "funded": "消耗品費\n印刷製本費",
        "documents": "申請書\n収支予算書", "how_to_apply": "協働推進課の窓口に提出してください。",
        "contact_section": "協働推進課", "contact_phone": "083-934-2937",
    }
    values.update(fields)
    g = ProgrammeGuide.objects.create(programme=programme, applicant_kinds=list(kinds), is_published=published,
                                      **values)
    g.topics.set([topic(name) for name in topics])
    return g


def other(title: str = "やまぐち地域活動応援助成（架空）", *, published: bool = True,
          kinds: tuple[str, ...] = (ApplicantKind.SHIMIN_DANTAI, ApplicantKind.NPO), topics: tuple[str, ...] = ("福祉",),
          opens_on: dt.date | None = None, closes_on: dt.date | None = None, **fields: object) -> FunderProgramme:
    values: dict[str, object] = {
        "funder_kind": FunderKind.PRIVATE, "funder": "やまぐち未来財団（架空）", "summary": "地域の福祉活動を応援します。",
        "amount_text": "1団体50万円まで", "url": "https://example.org/josei",
    }
    values.update(fields)
    o = FunderProgramme.objects.create(title=title, applicant_kinds=list(kinds), is_published=published,
                                       opens_on=opens_on, closes_on=closes_on, **values)
    o.topics.set([topic(name) for name in topics])
    return o
