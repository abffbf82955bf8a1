"""What happens next on an accident report (事故報告書の「次の手続」), in the words of the page: for its status and
the reader's part in it (the group that files it, the 保険担当 who judges it, the 保険担当 who entered a paper report
and so may not judge it), and the late notice (遅延理由書) shown once the 報告期限 has passed."""
import datetime as dt

from grants.accounts.models import Role, User
from grants.core.fiscal import wareki

from .models import AccidentReport, ReportStatus


def late_notice(due_date: dt.date) -> str:
    """The notice of a report not yet filed whose 報告期限 has passed: the reason is asked at submission."""
    return (f"報告期限（{wareki(due_date)}）を過ぎています。"
            "提出の際に、期限を過ぎた理由（遅延理由書）を入力してください。")


def passed_due_date(report: AccidentReport, today: dt.date) -> dt.date | None:
    """The report's 報告期限 when it has passed, else None. Lateness is judged on the first filing: a report
    returned and submitted again keeps that day."""
    return report.due_date if (report.filed_on or today) > report.due_date else None


def _files_it(user: User, report: AccidentReport) -> bool:
    """The group's head, or the 保険担当 who entered the report received on paper."""
    return user.role == Role.ASSOCIATION_HEAD or report.created_by_id == user.pk


def report_next_step(user: User, report: AccidentReport, *, today: dt.date, unsent: int = 0) -> str:
    """「次の手続」 of ``report`` for ``user`` (who may see it): what happens next and who does it. ``unsent``: the
    harmed persons of a covered report whose claim forms have not been sent yet."""
    status, files_it = report.status, _files_it(user, report)
    if status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        return _editable(user, report, today, files_it)
    if status == ReportStatus.SUBMITTED:
        if user.role != Role.INSURANCE:
            return ("提出済みです。市の保険担当が補償の対象かどうかを判定し、結果をこの画面でお知らせします。"
                    "直してほしい点があるときは差し戻されますので、理由を確認して直し、もう一度提出してください。")
        if report.created_by_id == user.pk:
            return "あなたが入力した事故報告書のため、別の保険担当が補償の対象かどうかを判定します。"
        return ("補償の対象かどうかを、下の「補償対象の判定」で判定してください。"
                "直してほしい点があるときは、理由を書いて団体へ差し戻してください。")
    if status == ReportStatus.COVERED:
        return _covered(user, report, unsent)
    if status == ReportStatus.NOT_COVERED:
        if user.role == Role.INSURANCE:
            return ("補償の対象外と判定しました。団体はこの画面で判定の結果と理由を確認できます。"
                    "この事故報告書の手続は終わりです。")
        return ("補償の対象外と判定されました。理由は下の「補償対象の判定」をご覧ください。"
                "この事故報告書の手続は終わりです。ご不明な点は、市の保険担当にお問い合わせください。")
    return "取り下げられた事故報告書です。手続は終わりです。改めて報告するときは、新しく作成してください。"


def _editable(user: User, report: AccidentReport, today: dt.date, files_it: bool) -> str:
    passed = passed_due_date(report, today)
    if not files_it:
        waiting = ("団体が内容を直して、もう一度提出するのを待っています。" if report.status == ReportStatus.RETURNED
                   else "団体が作成中です。団体が提出すると、補償の対象かどうかを判定できるようになります。")
        return waiting + ("（報告期限を過ぎています。提出の際に遅延理由書が必要です。）" if passed else "")
    if report.status == ReportStatus.RETURNED:
        text = "保険担当から差し戻されました。上の「差戻しの理由」を確認して内容を直し、もう一度提出してください。"
    else:
        text = "関係者と添付書類を登録し、下の「事故報告書を提出する」を押してください。"
    if passed:
        return text + late_notice(passed)
    judge = "別の保険担当" if user.role == Role.INSURANCE else "市の保険担当"
    return text + f"報告期限は{wareki(report.due_date)}です。提出すると、{judge}が補償の対象かどうかを判定します。"


def _covered(user: User, report: AccidentReport, unsent: int) -> str:
    if user.role == Role.INSURANCE:
        if unsent:
            return (f"補償の対象です。けが・損害のある方（あと{unsent}人）に請求書類を送付し、下の「請求書類を送付」で"
                    "記録してください。その後の手続は、請求ごとの画面で進めます。")
        return ("補償の対象です。請求書類はすべて送付済みです。その後の手続（請求の受付、保険会社への送付、"
                "回答の記録）は、請求ごとの画面で進めます。")
    return ("補償の対象と判定されました。市の保険担当が、けが・損害のある方ごとに請求書類をお送りします。届いたら、"
            "下の「保険金請求」から請求の画面を開き、治療を終えた後（または事故の日から"
            f"{report.policy.claim_after_days}日を過ぎてから）、領収書・診断書などをそろえて請求してください。")
