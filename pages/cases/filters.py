import django_filters
from django.db.models import Q, QuerySet

from grants.cases.models import GrantCase, Status
from grants.organizations.models import Area


class GrantCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="団体コード・団体名", method="search")
    status = django_filters.ChoiceFilter(label="状態", choices=Status.choices, empty_label="すべて")
    organization__area = django_filters.ModelChoiceFilter(
        label="地域", queryset=Area.objects.all(), empty_label="すべて"
    )

    class Meta:
        model = GrantCase
        fields = ["programme_year"]

    def search(self, queryset: QuerySet[GrantCase], name: str, value: str) -> QuerySet[GrantCase]:
        return queryset.filter(Q(organization__code__icontains=value) | Q(organization__name__icontains=value))
