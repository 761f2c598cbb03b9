"""The build date. Pages say whether a notice's 公示期 is current, over or to come *as of this date*, so it must
be injectable for reproducible output: SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it."""

from __future__ import annotations

import datetime as dt
import os

# Notices are dated in Beijing time whatever the build machine's zone is.
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def build_moment() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=CHINA)
        except (ValueError, OverflowError, OSError):
            pass  # a malformed value is ignored, as other reproducible-build tools do
    return dt.datetime.now(tz=CHINA)


def build_date() -> dt.date:
    return build_moment().date()
