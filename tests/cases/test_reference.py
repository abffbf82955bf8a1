"""The case number as the city prints it (GrantCase.reference): 「令和8年度 活動支援 第128号」 — the 年度 in 和暦, the
programme's 略称 (data, Programme.short_name) and the case's number within its programme-year, without zeros in
front. Pages, notices and mail show it; the old form built from the row id (2026-katsudo_shien-00128) is gone."""
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from grants.cases import services
from grants.cases.models import GrantCase, case_reference
from grants.notices.models import NoticeKind
from grants.notices.services import issue_notice
from grants.notify.models import Notification
from grants.programmes.models import Programme
from reports.pdf import render_notice_html
from tests import factories

pytestmark = pytest.mark.django_db

# The form a case number had before: 年度-事業コード-row id with zeros (2026-jichi_shinko-00042).
OLD_FORM = re.compile(r"\b\d{4}-[a-z_]+-\d{5}\b")


def year_of(code: str, short_name: str, fiscal_year: int = factories.CURRENT_FY):  # type: ignore[no-untyped-def]
    Programme.objects.update_or_create(code=code, defaults={"name": f"{short_name}の交付金", "short_name": short_name,
                                                            "recipient_kind": "jichikai"})
    return factories.rule(code=code, fiscal_year=fiscal_year)


def new_case(programme_year):  # type: ignore[no-untyped-def]
    return GrantCase.objects.create(programme_year=programme_year, organization=factories.AssociationFactory())


@pytest.mark.parametrize(("code", "short_name"), [
    ("jichi_shinko", "自治振興"), ("unei_shien", "運営支援"), ("katsudo_shien", "活動支援"),
    ("shimin_katsudo", "市民活動"),
])
def test_each_programme_prints_its_short_name(code, short_name):
    case = new_case(year_of(code, short_name, fiscal_year=2026))
    assert case.reference == f"令和8年度 {short_name} 第1号"


@pytest.mark.parametrize(("fiscal_year", "printed"), [
    # A 年度 is named by the era of its first day (grants.core.fiscal.fiscal_year_label, as every page names it):
    # 2019-04-01 was still 平成, 2020-04-01 令和2年.
    (2018, "平成30年度"), (2019, "平成31年度"), (2020, "令和2年度"), (2026, "令和8年度"),
])
def test_the_year_is_in_wareki_across_the_era_boundary(fiscal_year, printed):
    case = new_case(year_of("katsudo_shien", "活動支援", fiscal_year=fiscal_year))
    assert case.reference == f"{printed} 活動支援 第1号"


def test_the_first_year_of_an_era_is_gan():
    # 元年: a 年度 starting in an era's first year — 平成 began on 1989-01-08, so 1989-04-01 is 平成元年 (令和 began
    # on 2019-05-01, after the 年度's first day, so no 年度 is 令和元年度 by this rule).
    assert case_reference(1988, "活動支援", 5) == "昭和63年度 活動支援 第5号"
    assert case_reference(1989, "活動支援", 5) == "平成元年度 活動支援 第5号"


def test_numbers_count_within_each_programme_year_without_zeros():
    katsudo, unei = year_of("katsudo_shien", "活動支援"), year_of("unei_shien", "運営支援")
    first, second = new_case(katsudo), new_case(katsudo)
    other = new_case(unei)
    earlier = new_case(year_of("katsudo_shien", "活動支援", fiscal_year=factories.CURRENT_FY - 1))
    assert [first.number, second.number, other.number, earlier.number] == [1, 2, 1, 1]
    assert second.reference.endswith(" 活動支援 第2号") and "第002号" not in second.reference
    # cases made together (the annual run) continue the count
    made = GrantCase.objects.bulk_create(
        [GrantCase(programme_year=katsudo, organization=factories.AssociationFactory()) for _ in range(126)])
    assert [c.number for c in made] == list(range(3, 129))
    assert GrantCase.objects.get(pk=made[-1].pk).reference.endswith(" 活動支援 第128号")


def test_a_number_is_never_given_twice_in_a_programme_year(programme_year):
    case = new_case(programme_year)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantCase.objects.create(programme_year=programme_year, organization=factories.AssociationFactory(),
                                 number=case.number)


def test_a_case_not_made_keeps_no_number(case):
    again = GrantCase(programme_year=case.programme_year, organization=case.organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()  # one case per organisation and programme-year
    assert again.number is None
    assert new_case(case.programme_year).number == case.number + 1


def test_a_programme_without_a_short_name_prints_its_name():
    programme = factories.programme("kyodo")
    Programme.objects.filter(pk=programme.pk).update(short_name="", name="協働のまちづくり交付金")
    case = new_case(factories.rule(code="kyodo"))
    assert case.reference == f"{case.programme_year.fiscal_year_label} 協働のまちづくり交付金 第1号"


def test_the_case_page_the_notice_and_the_mail_show_the_printed_number(
        client, decided_case, staff, approver, association_head):  # type: ignore[no-untyped-def]
    printed = decided_case.reference
    assert printed == f"{decided_case.programme_year.fiscal_year_label} 自治振興 第1号"

    client.force_login(association_head)
    page = client.get(reverse("case_detail", args=[decided_case.pk])).content.decode()
    home = client.get(reverse("home")).content.decode()
    client.force_login(staff)
    listing = client.get(reverse("case_list")).content.decode()
    notice = render_notice_html(issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver))
    subjects = " ".join(Notification.objects.values_list("subject", flat=True))

    assert printed in page and printed in home and printed in listing
    assert printed in subjects  # the decision's お知らせ to the association
    for text in (page, home, listing, notice, subjects):
        assert not OLD_FORM.search(text), OLD_FORM.search(text)


def test_a_returned_application_names_the_case_by_its_printed_number(case, staff, association_head):
    services.submit_application(case_id=case.pk, actor=association_head)
    services.return_application(case_id=case.pk, actor=staff, note="世帯数の根拠資料が不足しています")
    subject = Notification.objects.get(event="application_returned").subject
    assert subject.endswith(case.reference) and not OLD_FORM.search(subject)
