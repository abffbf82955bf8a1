from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages: views, forms, tables and URLs over the domain (``grants``) and the exports (``reports``).
    Nothing below imports this package."""

    name = "pages"
    label = "pages"
    verbose_name = "画面"

    def ready(self) -> None:
        from pages.cases import exports  # noqa: F401  (registers the case list's export job kind)
