"""统一社会信用代码 (unified social credit codes, GB 32100-2015): check characters and
normalisation.

A code is 18 characters: registration authority (1), type (1), region (6), organisation
code (9: eight characters and a GB 11714 check character) and a check character over the
first 17. The warehouse normalises codes in SQL (``staging.uscc_normalised``, created by
the ``create_udfs`` macro); a unit test holds the two implementations to the same answers.
"""

from __future__ import annotations

import unicodedata

#: The 31 characters a code is written in (no I, O, Z, S, V), in the order of their values.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: GB 11714 organisation code: weights of its eight characters (values 0-9, A=10 ... Z=35).
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def is_valid(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in ALPHABET for c in code)
        and check_char(code[:17]) == code[17]
        and org_check_char(code[8:16]) == code[16]
    )


def make(authority: str, kind: str, region: str, org8: str) -> str:
    """A valid code from its parts (``org8``: the organisation code's first eight characters)."""
    first17 = f"{authority}{kind}{region}{org8}{org_check_char(org8)}"
    return first17 + check_char(first17)


def normalised(raw: str | None) -> str | None:
    """The code as written cleanly, or None when it is blank or fails its checks.

    Full-width characters, spaces and lowercase letters are what departments' files add;
    a code that still fails a check after cleaning (a transposed pair, a typo) is not a code.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(text.split()).upper()
    return text if is_valid(text) else None
