"""The audit trail's 操作 and 状態 in the field's words, shared by the case page and the auditor's workbook.
An action or state not listed is shown by its code."""
from grants.core.models import ACTION_NAMES
from grants.core.workflow import MACHINES
from grants.ledger.models import OrderStatus
from grants.organizations.models import PlanStatus

from .models import Status
from .workflows import WORKFLOWS

ACTION_LABELS: dict[str, str] = {
    # The simplified flow (自治会) and what both flows share.
    "submit": "申請書の提出",
    "return_to_applicant": "申請者への差戻し",
    "verify": "審査",
    "decide": "交付決定",
    "refuse": "不交付決定",
    "prepare_payment": "支出命令の起票",
    "approve_payment": "支出の承認",
    "reject_payment": "支出命令の差戻し",
    "record_paid": "支払の記録（振込予定）",
    "confirm_transfer": "振込完了",
    "return_transfer": "振込の返却",
    "correct_household_count": "世帯数の訂正",
    "correct_figure": "算定に使う数値の訂正",
    "override_check": "要件確認の特例判断",
    "approve_override": "特例判断の承認",
    "reject_override": "特例判断の却下",
    "start_annual_run": "年次一括作成の開始",
    "create": "案件の作成（年次一括作成）",
    "migrate_case": "過年度データの移行",
    "issue_notice": "通知書の発行",
    "download_notice_pdf": "通知書のダウンロード",
    "record_transfer_result": "銀行の振込結果の記録",
    "change_head": "代表者の交代",
    "create_payment_batch": "振込バッチの作成",
    "approve_payment_batch": "振込バッチの承認",
    "discard_payment_batch": "振込バッチの取消",
    "download_zengin_file": "振込ファイルのダウンロード",
    "request_job": "出力・印刷の依頼",
    # The full lifecycle (地域づくり協議会の運営支援・活動支援).
    "save_application": "交付申請の概要の保存",
    "add_budget_line": "収支予算の明細の追加",
    "delete_budget_line": "収支予算の明細の削除",
    "add_change_line": "変更後の収支予算の明細の追加",
    "delete_change_line": "変更後の収支予算の明細の削除",
    "add_report_line": "収支決算の明細の追加",
    "delete_report_line": "収支決算の明細の削除",
    "add_receipt": "領収書の写しの登録",
    "download_receipt": "領収書の写しのダウンロード",
    "start_change": "変更承認申請の作成",
    "request_change": "変更承認申請の提出",
    "check_change": "変更承認申請の審査",
    "approve_change": "変更交付決定",
    "reject_change": "変更の不承認",
    "save_report": "実績報告の概要の保存",
    "submit_report": "実績報告の提出",
    "return_report": "実績報告の差戻し",
    "verify_report": "実績報告の審査",
    "confirm": "額の確定",
    "cancel": "交付決定の取消",
    "close": "完了",
    "prepare_order": "支出命令の起票（概算払・精算払）",
    "approve_order": "支出命令の承認",
    "reject_order": "支出命令の差戻し",
    "record_order_paid": "支払の記録（支出命令・振込予定）",
    "confirm_order_transfer": "振込完了（支出命令）",
    "return_order_transfer": "振込の返却（支出命令）",
    "order_refund": "返還命令",
    "record_refund_receipt": "返還金の納付",
    # 地域づくり計画 and 事務局員.
    "create_plan": "地域づくり計画の作成",
    "add_plan_item": "計画の項目の追加",
    "delete_plan_item": "計画の項目の削除",
    "add_plan_attachment": "計画の添付資料の登録",
    "submit_plan": "計画の提出",
    "return_plan": "計画の差戻し",
    "approve_plan": "計画の承認",
    "supersede_plan": "改定による計画の終了",
    "start_plan_revision": "計画の改定版の作成",
    "add_secretariat_staff": "事務局員の登録",
    "end_secretariat_staff": "事務局員の雇用終了日の記録",
    # The competitive programme (市民活動交流事業補助金): the group's application, the panel and the selection.
    "start_application": "申請書の作成",
    "add_application_attachment": "申請の添付書類の登録",
    "remove_application_attachment": "申請の添付書類の削除",
    "download_application_attachment": "申請の添付書類のダウンロード",
    "accept_for_screening": "受付（審査会に付す）",
    "declare_conflict": "利害関係の申告",
    "score_application": "審査の採点",
    "select": "採択",
    "not_select": "不採択",
    "submit_tax_report": "消費税仕入控除税額の報告の提出",
    "return_tax_report": "消費税仕入控除税額の報告の差戻し",
    "confirm_tax_report": "消費税仕入控除税額の報告の確認",
    # Acts the rail records that had no row of their own before.
    "withdraw_order": "支出命令の取りやめ",
    "settle_refund": "返還金の納付の完了",
    "finish_annual_run": "年次一括作成の完了",
    "start_job": "出力・印刷の開始",
    "finish_job": "出力・印刷の完了",
    "fail_job": "出力・印刷の失敗",
    # Acts recorded on other subjects, named in words wherever a history or the audit sheet lists them.
    "recompute_at_decision": "交付決定時の算定のやり直し",
    "recompute_rule_revised": "交付基準の改正による算定のやり直し",
    "submit_change": "変更承認申請の提出",
    "withdraw_change": "変更承認申請の取下げ",
    "drop_change": "変更承認申請の終了（交付決定の取消）",
    "send_transfer": "振込ファイルへの記載",
    "invite": "利用者の招待",
    "accept_invitation": "招待の受諾",
    "revoke_invitation": "招待の取消",
    "head_login": "代表者のログインの登録",
    "end_term": "利用者の任期の終了",
    "register_group": "団体登録の申請",
    "edit_registration": "団体登録の内容の修正",
    "confirm_group": "団体登録の確認",
    "return_group": "団体登録の差戻し",
    "resubmit_group": "団体登録の再申請",
    "create_call": "募集の作成",
    "update_call": "募集の変更",
    "publish_call": "募集の公開",
    "unpublish_call": "募集を非公開に戻す",
    "update_year_rule": "交付基準の変更（募集）",
    "update_expense_rules": "費目の規則の変更（募集）",
    "assign_panel_member": "審査委員の委嘱",
    "prepare_selection": "採択案の作成",
    "propose_selection": "採択案の決裁への回付",
    "return_selection": "採択案の差戻し",
    "decide_selection": "採択の決定",
    "send_mail": "メールの送信",
    "skip_mail": "メールを送信しない",
    "retry_mail": "メールの再試行",
    "fail_mail": "メールの送信失敗",
    "requeue_mail": "メールの再送",
    "login_unlocked": "ログインの制限の解除",
    "api_token_revoked": "APIトークンの失効",
    "two_factor_device_removed": "二要素認証の端末の削除",
    # Saves in the admin (grants.core.admin_audit; a rule's own in grants.programmes.admin_versions).
    "admin_change": "管理画面での変更",
    "admin_change_add": "管理画面での登録",
    "admin_change_delete": "管理画面での削除",
    "change_rule": "交付基準の変更（管理画面）",
    "change_rule_add": "交付基準の登録（管理画面）",
    "change_rule_delete": "交付基準の削除（管理画面）",
}



def register_action_names() -> None:
    """Give the audit trail's admin (grants.core) the names of the actions: the list above, then each workflow's
    words for its own acts where the list has none."""
    ACTION_NAMES.update(ACTION_LABELS)
    for flow in WORKFLOWS.values():
        for edge in flow.machine.edges:
            if edge.done:
                ACTION_NAMES.setdefault(edge.audit_action, edge.done)


def action_label(action: str, workflow: str = "") -> str:
    """The Japanese name of an audit action; acts of a case name themselves as its ``workflow`` words them
    (``Edge.done``: 申請書兼請求書の提出 or 交付申請書の提出)."""
    flow = WORKFLOWS.get(workflow)
    if flow is not None:
        for edge in flow.machine.edges:
            if edge.audit_action == action and edge.done:
                return edge.done
    return ACTION_LABELS.get(action, action)


def state_labels() -> dict[str, str]:
    """Every state an audit row may name when it does not say which machine moved (rows written before the
    machines were named): cases, payment orders and plans, the case's word first."""
    return {**dict(PlanStatus.choices), **dict(OrderStatus.choices), **dict(Status.choices)}


def state_label(state: str, machine: str = "") -> str:
    """The label of ``state`` in the machine that reached it (``AuditEvent.machine``), else ``state_labels``."""
    known = MACHINES.get(machine)
    if known is not None and state in known.states:
        return known.states[state]
    return state_labels().get(state, state)
