"""The demo's catalogue (grants.demo.catalogue): topics as data, a published guide per demo programme that exists,
other funders' programmes with an external link; a second run changes nothing and keeps an administrator's edits."""
import pytest
from django.utils import timezone

from grants.demo.catalogue import GUIDES, OTHERS, TOPICS, setup_catalogue_demo
from grants.publication import catalogue
from grants.publication.models import FunderProgramme, ProgrammeGuide, Topic
from tests import factories
from tests.competitive import builders as competitive

pytestmark = pytest.mark.django_db


def test_demo_catalogue_is_created_once_and_keeps_edits():
    factories.rule(cap=300_000)
    competitive.programme_year()
    today = timezone.localdate()
    first = setup_catalogue_demo(today=today)
    assert (first.topics, first.guides, first.others) == (len(TOPICS), 2, len(OTHERS))
    assert len(GUIDES) == 4  # the two council programmes get theirs when they exist
    guide = ProgrammeGuide.objects.get(programme__code="jichi_shinko")
    guide.summary = "管理者が書き直した概要"
    guide.save()
    again = setup_catalogue_demo(today=today)
    assert again == first
    assert ProgrammeGuide.objects.get(pk=guide.pk).summary == "管理者が書き直した概要"
    assert Topic.objects.filter(name="防災・防犯").exists()
    assert all(row.url.startswith("https://") for row in FunderProgramme.objects.all())


def test_demo_entries_are_found_with_rule_wording():
    factories.rule(cap=300_000)
    competitive.programme_year()
    setup_catalogue_demo(today=timezone.localdate())
    entries = {entry.title: entry for entry in catalogue.search()}
    assert entries["自治会等自治振興交付金"].amount == "基本額と世帯数に応じた額の合計（上限30万円）"
    assert entries["市民活動交流事業補助金"].amount == "対象経費の3分の2以内（上限 1年目15万円、2〜3年目10万円）"
    kosodate = Topic.objects.get(name="子育て").pk
    assert "子どもの居場所づくり助成（架空）" in [e.title for e in catalogue.search(topic_id=kosodate)]
