"""A synthetic city that plays the departments.

``cityops generate`` writes a landing tree exactly as the source contracts describe
(every format, encoding, header and file name, dirt included) plus a separate
ground-truth folder that only tests and benchmarks read.
"""

from .generate import generate

__all__ = ["generate"]
