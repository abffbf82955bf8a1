"""Audit trail shared by every sub-package."""
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

if TYPE_CHECKING:
    # django-stubs resolves this alias to settings.AUTH_USER_MODEL (grants.accounts sits above this package)
    from django.contrib.auth.models import _User


class AppendOnlyModel(models.Model):
    """A row written once and never edited (ledger, audit trail, access log). ``save`` of a stored row raises
    ``ValueError(change_refused)``; ``delete`` raises ``ValueError(delete_refused)`` when it is set. The database
    triggers of ``grants.core.append_only`` also stop ``update()``, ``delete()`` and raw SQL."""

    change_refused = "この記録は変更できません。"
    delete_refused: str | None = None

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(self.change_refused)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.delete_refused is not None:
            raise ValueError(self.delete_refused)
        return super().delete(*args, **kwargs)


# The names in words of the audit actions, by code ("decide" → 交付決定), filled at start-up by the package that
# words them (grants.cases.labels, from grants.cases' AppConfig.ready): the audit trail's admin shows them.
ACTION_NAMES: dict[str, str] = {}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        """Events about one object, oldest first."""
        ct = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=ct, object_id=obj.pk).order_by("at", "pk")


class AuditEvent(AppendOnlyModel):
    """One recorded act (監査証跡): who did what to which object, when, from which state to which.

    Rows are written by services in the same transaction as the change they record, and never edited.
    """

    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="実施者", on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField("操作", max_length=64)
    machine = models.CharField(
        "手続の種類", max_length=40, blank=True, default="",
        help_text="状態を変えた操作の、状態遷移の定義（grants.core.workflow の Machine）の名前",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField("変更前", max_length=32, blank=True)
    to_state = models.CharField("変更後", max_length=32, blank=True)
    note = models.TextField("備考", blank=True)

    objects = AuditEventQuerySet.as_manager()
    change_refused = "監査証跡は変更できません。"

    class Meta:
        verbose_name = "監査証跡"
        verbose_name_plural = "監査証跡"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"



def record_event(
    *, actor: "_User | None", subject: models.Model, action: str, from_state: str = "", to_state: str = "",
    note: str = "", machine: str = "",
) -> AuditEvent:
    """Write one audit row; call inside the transaction of the change it records. A change of state names its
    ``machine`` (``grants.core.workflow``); other acts leave it empty."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        machine=machine,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def concrete_field(model: type[models.Model] | models.Model, name: str) -> models.Field[Any, Any]:
    """The forward field ``name`` of ``model`` (``_meta.get_field`` also answers reverse relations and generic
    foreign keys, which have no attname, label or length); ``FieldDoesNotExist`` for any other name."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{model._meta.label} has no field {name!r} of its own")
    return field


class SubmittedForm(models.Model):
    """A page form's one-time key, stored when the form first created something (``grants.core.once``): a
    second sending of the same form (a double click, a reload of the POST) finds it and is answered as the first
    was — the page ``result_url`` with the message ``result_label`` — instead of creating a second row. Only a
    sending to the same ``path`` with the same ``digest`` of its input is the same form; the key sent elsewhere or
    with other input is refused. The unique ``key`` settles two sendings at once. Rows older than
    ``once.KEY_LIFETIME`` may be deleted (``once.forget_expired``): their keys are refused anyway."""

    key = models.CharField("送信の識別子", max_length=120, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="送信者", on_delete=models.CASCADE,
                             null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("送信日時", auto_now_add=True, db_index=True)
    path = models.CharField("送信先", max_length=500, blank=True, default="")
    digest = models.CharField("送信内容のダイジェスト（SHA-256）", max_length=64, blank=True, default="")
    result_url = models.CharField("送信後の画面", max_length=500, blank=True)
    result_label = models.TextField("送信後の表示", blank=True)

    class Meta:
        verbose_name = "送信済みのフォーム"
        verbose_name_plural = "送信済みのフォーム"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.result_url}"
