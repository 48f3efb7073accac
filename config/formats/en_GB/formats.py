"""Dates as editors type them: ISO 8601 (YYYY-MM-DD) only, shown and read the same way.

en-gb's own input formats put dd/mm/yyyy first, so the admin showed 12/11/2026, which is
12 November here and 11 December to a US editor. Only the input formats change: dates in
running text keep en-gb's "12 Nov 2026". Loaded through FORMAT_MODULE_PATH (config/settings.py);
Django falls back to its own en_GB module for everything not set here.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
