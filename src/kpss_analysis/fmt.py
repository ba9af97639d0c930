"""Czech formatting of numbers, percentages, dates and names for everything a plan reader sees.

Numbers use the Czech locale of Babel (CLDR): decimal comma and a no-break space as the
thousands separator, so "10 701 777" and "21,4 %" never wrap inside a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from matplotlib.ticker import FuncFormatter

LOCALE = "cs_CZ"
NBSP = "\u00a0"
MISSING = "–"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _half_up(value: float | int, decimals: int) -> Decimal:
    # Round half up from the shortest repr (as ČSÚ tables do); Babel and numpy round half to even.
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded.is_zero() else rounded  # no "-0,0"


def round_half_up(value: float | int | None, decimals: int = 0) -> float | None:
    """The value as :func:`number` shows it, as a float (None/NaN stay missing)."""
    return value if _is_missing(value) else float(_half_up(value, decimals))


def number(value: float | int | None, decimals: int = 0) -> str:
    """12345.678 → '12 345,7' (decimals=1); missing → '–'."""
    if _is_missing(value):
        return MISSING
    rounded = _half_up(value, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def signed(value: float | int | None, decimals: int = 0) -> str:
    """Like :func:`number` with an explicit '+' for positive values (changes, balances)."""
    text = number(value, decimals)
    return f"+{text}" if not _is_missing(value) and value > 0 else text.replace("-", "−")


def percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: 21.43 → '21,4 %'."""
    return MISSING if _is_missing(value) else f"{number(value, decimals)}{NBSP}%"


def date(value: dt.date | str) -> str:
    """2020-12-31 → '31. 12. 2020' (Czech style with spaces)."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day}.{NBSP}{day.month}.{NBSP}{day.year}"


def axis_formatter(decimals: int = 0, suffix: str = "") -> FuncFormatter:
    """Matplotlib tick formatter with Czech numbers, e.g. ``ax.yaxis.set_major_formatter(...)``."""
    return FuncFormatter(lambda value, _pos: number(value, decimals) + suffix)


def normalize(text: str) -> str:
    """Lower-case ASCII with single spaces: 'Frýdek-Místek' → 'frydek mistek'."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


def slugify(text: str) -> str:
    """'Frýdek-Místek' → 'frydek-mistek' (folder names)."""
    return normalize(text).replace(" ", "-")
