"""The 総合振込 file of an approved payment batch (reports/zengin_batch.py) follows the city's transfer settings."""
import pytest

from tests.reports.zengin_parser import parse_zengin


@pytest.mark.django_db
@pytest.mark.parametrize("line_ending,eol", [("crlf", b"\r\n"), ("none", b"")])
def test_batch_file_follows_the_line_ending_setting(approved_case, finance, finance2, transfer_day, transfer_settings, line_ending, eol) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.batches import approve_payment_batch, create_payment_batch
    from reports.zengin_batch import batch_file

    transfer_settings.line_ending = line_ending
    transfer_settings.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approved = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    data = approved.file.read()
    records = parse_zengin(data, line_ending=eol)
    assert len(data) == 4 * (120 + len(eol))
    assert records[1]["顧客コード1"] == f"{approved_case.pk:010d}"
    assert records[0]["振込指定日"] == f"{transfer_day:%m%d}"


@pytest.mark.django_db
def test_batch_file_holds_exactly_the_normalised_name_of_a_long_corporate_account(approved_case, finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """An account entered with its corporate word written out (37 characters as typed, issue 12 part 8) goes
    into the file as the normalised name kept on the account: abbreviated, 26 bytes, space-padded to 30."""
    from grants.cases.batches import approve_payment_batch, create_payment_batch
    from reports.zengin_batch import batch_file

    account = approved_case.organization.current_bank_account()
    account.holder_kana = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク"
    account.full_clean()
    account.save()
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    data = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file).file.read()
    name = "ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈﾂﾄﾜ-ｸ"
    assert parse_zengin(data, line_ending=b"\r\n")[1]["受取人名"] == name
    assert data[122 + 50:122 + 80] == name.encode("cp932").ljust(30, b" ")
