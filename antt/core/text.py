"""Text normalisation shared by every app: names as displayed and as searched."""

import re
import unicodedata

from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def normalize_name(value: str) -> str:
    """NFC, one space between words, no space at the ends: the form we store and show."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower case without diacritics (đ → d), for accent-insensitive search."""
    return unidecode(normalize_name(value).translate(_APOSTROPHES)).lower()
