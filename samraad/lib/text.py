"""Names shown to other people, made safe to show as text."""

from __future__ import annotations

import unicodedata

# The zero-width joiner is a format character too, but it only glues emoji together ("👩‍💻")
# and cannot reorder text; taking it out would split them.
_KEPT = {"\u200d"}


def without_format_characters(text: str) -> str:
    """Returns `text` without Unicode format characters (category Cf): bidirectional overrides and
    isolates ("abc\u202egpj.exe" would show as "abcexe.jpg"), zero-width spaces, soft hyphens and
    the like, which let a name look like another or hide part of itself."""
    return "".join(character for character in text if character in _KEPT or unicodedata.category(character) != "Cf")
