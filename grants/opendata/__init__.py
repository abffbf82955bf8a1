"""情報公開: the open data of decided awards per fiscal year (CSV, Shift_JIS CSV, JSON; CC BY 4.0), what is
published of each organisation type, and the data dictionary."""
