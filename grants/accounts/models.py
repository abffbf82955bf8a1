"""Users and the role each one works in."""
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """The kinds of user of the system (GRANTS.md §1). The 保険担当 handles コミュニティ活動保険 only: they see
    the injured people's personal data and no grant case; the grant roles never see that personal data. The
    審査委員 (often from outside the city hall) sees only the applications of the calls they are assigned to,
    and none they are tied to or declared a conflict on."""

    ASSOCIATION_HEAD = "association_head", "団体の代表者・事務局（自治会長、協議会の事務局長など）"
    STAFF = "staff", "協働推進課 担当"
    APPROVER = "approver", "決裁者"
    FINANCE = "finance", "会計課"
    AUDITOR = "auditor", "監査委員事務局"
    INSURANCE = "insurance", "保険担当（コミュニティ活動保険）"
    PANEL = "panel", "審査委員（市民活動交流事業補助金）"


CITY_ROLES = frozenset({Role.STAFF, Role.APPROVER, Role.FINANCE, Role.AUDITOR})


class User(AbstractUser):
    """A person who logs in. City staff see every case; an association head sees only the cases of the
    organisations they currently represent (see ``Representative``)."""

    role = models.CharField("役割", max_length=32, choices=Role.choices)
    display_name = models.CharField("氏名", max_length=100, blank=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city_user(self) -> bool:
        return self.role in CITY_ROLES
