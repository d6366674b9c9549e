"""De-duplication without personal data: a salted hash whose salt changes every day.

Neither the IP address nor the user agent is stored; yesterday's hashes cannot be linked to
today's, and without the server's secret key they cannot be linked to anyone."""

import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def daily_salt(day: date) -> bytes:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"matchgraph-salt:{day.isoformat()}".encode(), "sha256"
    ).digest()


def source_hash(request: HttpRequest, *, day: date | None = None) -> str:
    day = day or timezone.now().date()
    raw = "|".join(
        [request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_USER_AGENT", "")[:300]]
    )
    return hmac.new(daily_salt(day), raw.encode(), hashlib.sha256).hexdigest()[:32]
