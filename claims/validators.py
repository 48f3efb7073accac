from __future__ import annotations

from django.core.validators import URLValidator

# Only web links: no javascript:, data:, ftp: or scheme-less addresses in anything a reader clicks.
validate_http_url = URLValidator(
    schemes=["http", "https"], message="Enter a full web address starting with http:// or https://."
)
