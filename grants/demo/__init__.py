"""The demo (デモ): invented councils, plans, cases of past years and accident reports on top of the generated
associations (``grants.organizations.demo``), built through the services, and the ``setup_demo`` command that
``bin/start`` runs. It sits above every app it fills, so none of them depends on it."""
