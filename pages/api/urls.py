"""The API's URLs (included at ``api/`` by ``pages.urls``): version 1 at ``api/v1/``, every view read-only
(``errors.read_only``), and any other URL under ``api/`` a JSON 404."""
from django.urls import URLPattern, URLResolver, path

from pages.api.errors import not_found, read_only
from pages.api.v1 import api, index


def _read_only(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Each view read-only; the version's root (ninja's ``api-root``, a bare 404) says where the schema and the
    documentation are."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = read_only(index if pattern.name == "api-root" else pattern.callback)
    return patterns


# (Not unpacked into module names: ``app_name`` here would become this module's namespace.)
_v1 = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", (_read_only(list(_v1[0])), _v1[1], _v1[2])),
    path("", not_found, name="api_index_not_found"),
    path("<path:rest>", not_found, name="api_not_found"),
]
