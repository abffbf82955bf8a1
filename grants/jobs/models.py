"""Background jobs (バックグラウンド処理): long exports and batch printing, with visible progress and the
resulting file kept for download."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition


class JobStatus(models.TextChoices):
    QUEUED = "queued", "待機中"
    RUNNING = "running", "処理中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


class Job(FSMModelMixin, models.Model):
    """One piece of background work requested by a user. ``kind`` names a registered job function
    (``grants.jobs.registry``); ``params`` are its JSON arguments. Progress is ``done`` of ``total`` units
    (rows, notices); the result is ``file`` with the download name ``filename``."""

    kind = models.CharField("種類", max_length=60)
    title = models.CharField("内容", max_length=200)
    params = models.JSONField("条件", default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="依頼者", on_delete=models.PROTECT)
    requested_at = models.DateTimeField("依頼日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    status = FSMField("状態", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, protected=True)
    done = models.PositiveBigIntegerField("処理済", default=0)
    total = models.PositiveBigIntegerField("全体", default=0)
    message = models.TextField("メッセージ", blank=True)
    file = models.FileField("結果ファイル", upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField("ファイル名", max_length=200, blank=True)
    content_type = models.CharField("形式", max_length=100, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "バックグラウンド処理"
        verbose_name_plural = "バックグラウンド処理"
        constraints = [
            models.CheckConstraint(condition=Q(total=0) | Q(done__lte=models.F("total")), name="job_done_within_total")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return 0 if not self.total else min(100, self.done * 100 // self.total)

    @transition(field=status, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one change of ``status``, made by ``grants.core.workflow.perform`` along an edge of its
        machine (``grants.jobs.machines.JOB``)."""
        return target


