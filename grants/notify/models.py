"""Messages to users (お知らせ) and their mail, and the days the daily scheduler has run."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from .events import EVENTS


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "送信待ち"
    SENT = "sent", "送信済"
    SKIPPED = "skipped", "送信しない"
    FAILED = "failed", "失敗"


class Notification(FSMModelMixin, models.Model):
    """One message to one person: a user (shown on their ホーム) or a bare e-mail address (someone without an
    account yet, invited to an organisation). The mail is sent by the worker (``grants.notify.tasks.deliver``)
    once the act that wrote the message commits; ``status`` follows the rail (``grants.notify.machines``).

    ``key``: a message sent once per (key, recipient) (a reminder of one report for one day), enforced by the
    database. ``body`` is never shown to the city's staff (an invitation carries its link)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="宛先の利用者", null=True, blank=True, on_delete=models.PROTECT,
        related_name="notifications",
    )
    address = models.EmailField("宛先メールアドレス", blank=True)
    event = models.CharField("種類", max_length=40)
    subject = models.CharField("件名", max_length=200)
    body = models.TextField("本文")
    url = models.CharField("ページ", max_length=300, blank=True)
    key = models.CharField("重複防止キー", max_length=200, blank=True)
    official = models.BooleanField("必ず送るお知らせ", default=False)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)
    status = FSMField("状態", max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED,
                      protected=True)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    last_error = models.TextField("直近のエラー", blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "お知らせ・メール"
        verbose_name_plural = "お知らせ・メール"
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], condition=~Q(key="") & Q(recipient__isnull=False),
                                    name="notification_once_per_key_and_user"),
            models.UniqueConstraint(fields=["key", "address"], condition=~Q(key="") & Q(recipient__isnull=True),
                                    name="notification_once_per_key_and_address"),
            models.CheckConstraint(condition=Q(recipient__isnull=False) | ~Q(address=""),
                                   name="notification_has_a_recipient"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject

    @property
    def event_label(self) -> str:
        known = EVENTS.get(self.event)
        return known.label if known else self.event

    @property
    def area(self) -> str:
        known = EVENTS.get(self.event)
        return known.area if known else ""

    @property
    def to_label(self) -> str:
        """The recipient as the mail log shows it: the user's name, or the bare address."""
        return str(self.recipient) if self.recipient_id else self.address

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its machine
        (``grants.notify.machines.NOTIFICATION``)."""
        return target


class DailyRun(models.Model):
    """One day's run of the daily scheduler (reminders of what falls due): one row a day, so that a second run
    the same day knows it ran; ``counts`` the messages written by kind, ``error`` what stopped it."""

    day = models.DateField("日付", unique=True)
    started_at = models.DateTimeField("開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    counts = models.JSONField("件数", default=dict, blank=True)
    error = models.TextField("エラー", blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = "日次処理の記録"
        verbose_name_plural = "日次処理の記録"

    def __str__(self) -> str:
        return f"{self.day}"
