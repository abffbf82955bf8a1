"""Demo organisations (is_demo=True, invented names and figures; "screens and reports must say that these are
demo figures", grants.organizations.demo) are published in the city's open data under its real 全国地方公共団体
コード and CC BY as if real, with no mark in the CSV, the JSON's metadata or the public API; every page says so
(base.html's demo notice) but the files and the API are read by machines that never see it."""
import json

import pytest
from django.test import Client

from tests.opendata import builders
from tests.opendata.builders import FY

pytestmark = pytest.mark.django_db


def test_attack_demo_awards_published_as_real_open_data() -> None:
    city = builders.city()
    org = city.orgs["s2"]
    org.is_demo = True
    org.save()
    client = Client()
    csv_text = client.get(f"/opendata/{FY}/awards.csv").content.decode("utf-8-sig")
    document = json.loads(client.get(f"/opendata/{FY}/awards.json").content)
    api = client.get(f"/api/v1/public/opendata/{FY}/awards").json()
    for where, text in (("csv", csv_text), ("json", json.dumps(document, ensure_ascii=False)),
                        ("api", json.dumps(api, ensure_ascii=False))):
        assert "大殿まちなみ保存の会" not in text or "デモ" in text or "架空" in text, (
            f"{where}: a demo organisation's award is published as real data")
