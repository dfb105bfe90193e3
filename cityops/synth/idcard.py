"""GB 11643-1999 resident ID numbers: check characters, legacy upgrade, dirt.

The generator uses these to make valid numbers and to dirty them; the warehouse
normalises IDs in SQL (dbt macro) and tests compare the two implementations.
"""

from __future__ import annotations

import numpy as np

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def is_valid(id18: str) -> bool:
    return (
        len(id18) == 18
        and id18[:17].isdigit()
        and id18[17] in "0123456789X"
        and check_char(id18[:17]) == id18[17]
    )


def upgrade15(id15: str) -> str:
    """Legacy 15-digit number -> 18 digits (insert 19 before the year, append check)."""
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_char(first17)


def to_legacy15(id18: str) -> str:
    return id18[:6] + id18[8:17]


def make_ids(region: np.ndarray, birth_yyyymmdd: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Vectorised 18-character IDs (as a numpy unicode array) from their parts."""
    n = len(region)
    digits = np.empty((n, 17), dtype=np.int64)
    for i in range(6):
        digits[:, i] = (region // 10 ** (5 - i)) % 10
    for i in range(8):
        digits[:, 6 + i] = (birth_yyyymmdd // 10 ** (7 - i)) % 10
    for i in range(3):
        digits[:, 14 + i] = (seq // 10 ** (2 - i)) % 10
    check_idx = (digits @ np.array(WEIGHTS, dtype=np.int64)) % 11
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, :17] = digits + ord("0")
    codes[:, 17] = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[check_idx]
    return codes.view("S18").ravel().astype("U18")


def fullwidth(value: str) -> str:
    return value.translate(_FULLWIDTH)


def transpose_digits(id18: str, rng: np.random.Generator) -> str:
    """Swap two adjacent, different digits so that the check fails (a typing slip)."""
    for _ in range(20):
        i = int(rng.integers(6, 16))
        a, b = id18[i], id18[i + 1]
        if a != b and a.isdigit() and b.isdigit():
            swapped = id18[:i] + b + a + id18[i + 2 :]
            if not is_valid(swapped):
                return swapped
    return id18[:-1] + ("0" if id18[-1] != "0" else "1")
