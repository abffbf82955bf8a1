"""Where collectstatic puts the static files in production (STATIC_MANIFEST=True, config/settings.py)."""
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's storage (names with a hash of the content, gzip and Brotli copies), except that a JavaScript
    file's ``//# sourceMappingURL=`` line is left alone: the vendored Chart.js (static/vendor/chartjs/) names a source
    map that is not shipped, which would stop collectstatic. No script of ours refers to another file; a browser
    asks for a source map only while its developer tools are open, and gets the 404 page."""

    patterns = tuple((glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns if glob != "*.js")
