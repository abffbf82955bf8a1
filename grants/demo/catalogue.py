"""The demo's public catalogue (grants.publication): the activity topics, a published guide for each demo
programme, and a few other funders' programmes described in general terms with a link to their public site.

The guides' texts are samples written for the demonstration; rates, caps and windows are not here (the catalogue
reads them from each programme's rule). The other funders' programmes are described generally (kinds of support
such bodies offer), marked （例）, and link to the funder's top page, not to a particular call. Idempotent:
rows are created only when missing, and an administrator's later edits are kept.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grants.programmes.models import Programme
from grants.publication.models import ApplicantKind, FunderKind, FunderProgramme, ProgrammeGuide, Topic

TOPICS = ["防災・防犯", "子育て", "福祉", "環境", "地域づくり", "文化・スポーツ", "健康づくり", "国際交流",
          "まちの美化"]

K = ApplicantKind
CONTACT = {"contact_section": "協働推進課", "contact_phone": "083-934-2937"}

# (事業コード, 概要, 申請できる団体, 説明, 対象となる経費・活動, 提出書類, 申請の方法, 分野)
GUIDES: list[tuple[str, str, list[str], str, str, str, str, list[str]]] = [
    ("jichi_shinko",
     "自治会・町内会が行う地域の自治活動（広報紙の配布、防犯灯の管理、地域の行事など）を支えるため、世帯数に応じて交付金を"
     "交付します。",
     [K.JICHIKAI, K.RENGO], "市内の自治会・町内会（基準日の加入世帯数により算定します）。",
     "自治会の運営費\n広報紙の配布・回覧\n地域の行事・清掃活動",
     "自治振興交付金申請書兼請求書\n振込先口座の確認書類（初めての申請・口座を変えるとき）",
     "毎年4月にお送りする申請書兼請求書に記入し、受付期間内に協働推進課または各地域交流センターに提出してください。"
     "自治会長の方はログインして画面から申請することもできます。",
     ["地域づくり", "防災・防犯", "まちの美化"]),
    ("unei_shien",
     "地域づくり協議会の事務局の運営（主に事務局員の雇用経費）を支援します。",
     [K.KYOGIKAI], "市が認定した地域づくり協議会。",
     "事務局員の人件費\n事務局の運営経費（通信費・消耗品費など）",
     "交付申請書\n収支予算書\n事務局員の雇用の内容がわかる書類",
     "協議会の事務局の方がログインし、交付申請の画面から申請してください。",
     ["地域づくり"]),
    ("katsudo_shien",
     "地域づくり計画に基づいて協議会が行う活動（防災訓練、子どもの見守り、高齢者の交流の場など）を支援します。",
     [K.KYOGIKAI], "市が認定した地域づくり協議会で、地域づくり計画を定めていること。",
     "地域づくり計画の取組に要する経費\n講師謝礼・印刷製本費・消耗品費など",
     "交付申請書\n事業計画書（地域づくり計画の取組との関連）\n収支予算書",
     "協議会の事務局の方がログインし、交付申請の画面から申請してください。経費の各行を計画の取組に結びつけます。",
     ["地域づくり", "防災・防犯", "子育て", "福祉"]),
    ("shimin_katsudo",
     "市民活動団体が新たに取り組む公益的な事業を、公開プレゼンテーションによる審査を経て支援します。",
     [K.SHIMIN_DANTAI, K.NPO, K.GROUP], "市内に活動拠点があり、構成員5人以上で、規約と構成員名簿がある団体"
     "（NPO法人や任意のグループも含みます）。",
     "事業の実施に必要な経費（報償費・印刷製本費・会場使用料など）\n飲食費・団体の運営費は対象外です",
     "申請書\n事業計画書\n収支予算書\n団体の規約\n構成員名簿",
     "団体登録を済ませたうえで、募集の受付期間内にログインし、募集の画面から申請してください。",
     ["子育て", "福祉", "環境", "文化・スポーツ", "国際交流"]),
]


@dataclass(frozen=True)
class Other:
    funder_kind: str
    funder: str
    title: str
    summary: str
    kinds: tuple[str, ...]
    eligibility: str
    topics: tuple[str, ...]
    amount: str
    url: str
    window_days: tuple[int, int] | None  # (from, to) days from the demo's day, or None: no fixed window


OTHERS = [
    Other(FunderKind.PREFECTURE, "山口県", "県の地域づくり・県民活動への助成（例）",
          "山口県は、県民活動や中山間地域の地域づくりを支援する補助制度を設けています。対象や募集時期は年度ごとに"
          "県のホームページで案内されます。",
          (K.SHIMIN_DANTAI, K.NPO, K.KYOGIKAI), "県内で活動する団体（制度により異なります）。",
          ("地域づくり", "福祉"), "制度により異なります（県の案内をご覧ください）", "https://www.pref.yamaguchi.lg.jp/",
          (-10, 40)),
    Other(FunderKind.NATIONAL, "総務省", "地域おこし・地域運営組織への国の支援（例）",
          "地域運営組織の形成や地域の課題解決の取組について、国が財政措置や助言の制度を設けています。多くは市を"
          "通じて行われますので、まず協働推進課にご相談ください。",
          (K.KYOGIKAI, K.RENGO), "地域運営組織（地域づくり協議会など）。",
          ("地域づくり",), "制度により異なります", "https://www.soumu.go.jp/", None),
    Other(FunderKind.PRIVATE, "やまぐち未来まちづくり財団（架空）", "子どもの居場所づくり助成（架空）",
          "子ども食堂や学習支援など、子どもの居場所づくりに取り組む団体を応援する民間の助成です（デモ用の架空の"
          "制度です）。",
          (K.SHIMIN_DANTAI, K.NPO, K.GROUP), "県内で子どもの居場所づくりに取り組む団体・グループ。",
          ("子育て", "福祉"), "1団体30万円まで（審査により決定）", "https://example.org/", (20, 60)),
    Other(FunderKind.PRIVATE, "みどりと暮らし基金（架空）", "身近な環境保全活動への助成（架空）",
          "里山の手入れ、川の清掃、花壇づくりなど、身近な環境を守る活動に助成します（デモ用の架空の制度です）。",
          (K.JICHIKAI, K.SHIMIN_DANTAI, K.GROUP), "地域で環境保全活動を行う自治会・団体・グループ。",
          ("環境", "まちの美化"), "1件10万円から50万円", "https://example.org/", (-30, -5)),
]


@dataclass(frozen=True)
class CatalogueDemoSummary:
    topics: int
    guides: int
    others: int


def setup_catalogue_demo(*, today: dt.date) -> CatalogueDemoSummary:
    """Create (when missing) the topics, a published guide for each demo programme that exists, and the other
    funders' programmes (published; windows relative to ``today``). Returns how many of each exist."""
    topics = {name: Topic.objects.get_or_create(name=name, defaults={"order": i * 10})[0]
              for i, name in enumerate(TOPICS)}
    programmes = Programme.objects.in_bulk([code for code, *_ in GUIDES], field_name="code")
    for code, summary, kinds, eligibility, funded, documents, how, names in GUIDES:
        if code not in programmes:
            continue
        guide, created = ProgrammeGuide.objects.get_or_create(programme=programmes[code], defaults={
            "summary": summary, "applicant_kinds": list(kinds), "eligibility": eligibility, "funded": funded,
            "documents": documents, "how_to_apply": how, "is_published": True, **CONTACT})
        if created:
            guide.topics.set([topics[name] for name in names])
    for other in OTHERS:
        window = (None, None) if other.window_days is None else tuple(
            today + dt.timedelta(days=d) for d in other.window_days)
        row, created = FunderProgramme.objects.get_or_create(title=other.title, funder=other.funder, defaults={
            "funder_kind": other.funder_kind, "summary": other.summary, "applicant_kinds": list(other.kinds),
            "eligibility": other.eligibility, "amount_text": other.amount, "url": other.url,
            "opens_on": window[0], "closes_on": window[1], "is_published": True})
        if created:
            row.topics.set([topics[name] for name in other.topics])
    return CatalogueDemoSummary(Topic.objects.count(), ProgrammeGuide.objects.count(), FunderProgramme.objects.count())
