"""The 地域づくり協議会 module has no models of its own: its plans and 事務局員 are kept with the organisation
(``grants.organizations.models``), its 費目 rules with the programme-year (``grants.programmes.models``) and
the full lifecycle's lines, changes, reports and refunds with the case (``grants.cases.models``)."""
