"""The pages of the system, the top layer: every view, form, table, filter, template tag and URL. Views read
through querysets and write only through services (``grants``); exports and documents come from ``reports``."""
