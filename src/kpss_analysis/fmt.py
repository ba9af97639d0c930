"""Czech formatting of numbers, dates and text: the one layer behind every DOCX, HTML, XLSX and chart.

Numbers use the Czech locale of Babel (CLDR): decimal comma, a no-break space as the thousands
separator and the minus sign "−" (U+2212), so "10 701 777", "−1,1" and "21,4 %" never wrap or
turn into a hyphen. :func:`text` applies the same rules to free text (captions, sources, notes,
cells): no-break spaces in dates ("31. 12. 2020"), after "§" and one-letter prepositions, inside
digit groups, and the minus sign before a number. :func:`plural` chooses Czech plural forms by
the CLDR rules, :func:`kraj_genitive` / :func:`kraj_locative` decline kraj names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_decimal
from matplotlib.ticker import FuncFormatter

LOCALE = "cs_CZ"
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"

#: Kraj (NUTS 3) names: genitive ("SO ORP Karlovarského kraje") and locative ("v Karlovarském kraji").
KRAJ_CASES = {
    "Hlavní město Praha": ("hlavního města Prahy", "hlavním městě Praze"),
    "Středočeský kraj": ("Středočeského kraje", "Středočeském kraji"),
    "Jihočeský kraj": ("Jihočeského kraje", "Jihočeském kraji"),
    "Plzeňský kraj": ("Plzeňského kraje", "Plzeňském kraji"),
    "Karlovarský kraj": ("Karlovarského kraje", "Karlovarském kraji"),
    "Ústecký kraj": ("Ústeckého kraje", "Ústeckém kraji"),
    "Liberecký kraj": ("Libereckého kraje", "Libereckém kraji"),
    "Královéhradecký kraj": ("Královéhradeckého kraje", "Královéhradeckém kraji"),
    "Pardubický kraj": ("Pardubického kraje", "Pardubickém kraji"),
    "Kraj Vysočina": ("kraje Vysočina", "kraji Vysočina"),
    "Jihomoravský kraj": ("Jihomoravského kraje", "Jihomoravském kraji"),
    "Olomoucký kraj": ("Olomouckého kraje", "Olomouckém kraji"),
    "Zlínský kraj": ("Zlínského kraje", "Zlínském kraji"),
    "Moravskoslezský kraj": ("Moravskoslezského kraje", "Moravskoslezském kraji"),
}

# Text rules of :func:`text`, applied in this order.
_DATE = re.compile(r"\b(\d{1,2})\. (\d{1,2})\.(?: (?=\d{4}\b))?")
_DIGIT_GROUPS = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?![\d])")
_SECTION = re.compile(r"§ (?=\d)")
_PREPOSITION = re.compile(r"(?<![\w.-])([KkSsVvZzOoUuAaIi]) ")
_HYPHEN_MINUS = re.compile(r"(?<![\w)\]./-])-(?=\d)")


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
    return format_decimal(rounded, format=pattern, locale=LOCALE).replace("-", MINUS)


def signed(value: float | int | None, decimals: int = 0) -> str:
    """Like :func:`number` with an explicit '+' for positive values (changes, balances)."""
    text = number(value, decimals)
    return f"+{text}" if not _is_missing(value) and _half_up(value, decimals) > 0 else text


def excel_format(decimals: int) -> str:
    """The XLSX number format of :func:`number`: thousands separator, ``decimals``, the minus sign "−"."""
    positive = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return f'{positive};"{MINUS}"{positive}'


def text(value: str) -> str:
    """Czech typography of free text: no-break spaces where a line must not break, "−" before numbers.

    "k 31. 12. 2020" → "k⍽31.⍽12.⍽2020", "§ 37" → "§⍽37", "1 000" → "1⍽000" (⍽ = no-break space),
    "-1,1" → "−1,1". Hyphens inside words and codes ("ORP-1", "2020-12-31") stay.
    """
    value = _DATE.sub(lambda m: m.group(0).replace(" ", NBSP), value)
    value = _DIGIT_GROUPS.sub(lambda m: m.group(0).replace(" ", NBSP), value)
    value = _SECTION.sub("§" + NBSP, value)
    value = _PREPOSITION.sub(lambda m: m.group(1) + NBSP, value)
    return _HYPHEN_MINUS.sub(MINUS, value)


def plural(count: float | int, one: str, few: str, many: str) -> str:
    """The Czech form for ``count`` by the CLDR plural rules: 1 obec, 2 obce, 5 obcí (1,5 obce → ``few``).

    CLDR's Czech "many" (decimal numbers) takes the genitive singular, which equals ``few``
    for most nouns ("1,5 obce"); "other" (0, 5+) takes ``many``.
    """
    form = Locale.parse(LOCALE).plural_form(count)
    return {"one": one, "few": few, "many": few}.get(form, many)


def count(value: int, one: str, few: str, many: str) -> str:
    """A whole number with its noun: ``count(1, "obec", "obce", "obcí")`` → '1 obec'."""
    return f"{number(value)}{NBSP}{plural(value, one, few, many)}"


def kraj_genitive(name: str) -> str:
    """'Karlovarský kraj' → 'Karlovarského kraje' (unknown names unchanged, prefixed by 'kraje')."""
    return KRAJ_CASES[name][0] if name in KRAJ_CASES else f"kraje {name}"


def kraj_locative(name: str) -> str:
    """'Karlovarský kraj' → 'Karlovarském kraji' (after "v"); unknown names prefixed by 'kraji'."""
    return KRAJ_CASES[name][1] if name in KRAJ_CASES else f"kraji {name}"


def percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: 21.43 → '21,4 %'."""
    return MISSING if _is_missing(value) else f"{number(value, decimals)}{NBSP}%"


def date(value: dt.date | str) -> str:
    """2020-12-31 → '31. 12. 2020' (Czech style with spaces)."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day}.{NBSP}{day.month}.{NBSP}{day.year}"


def phone(value: str) -> str:
    """A Czech phone number as '+420 123 456 789' (no-break spaces); other numbers are returned as given."""
    digits = re.sub(r"[\s./()-]", "", value)
    match = re.fullmatch(r"(?:\+420|00420)?(\d{9})", digits)
    if match is None:
        return value.strip()
    national = match.group(1)
    return NBSP.join(["+420", national[:3], national[3:6], national[6:]])


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
