from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samraad.lib.text import without_format_characters


@pytest.mark.parametrize(
    ("shown", "kept"),
    [
        ("abc\u202egpj.exe", "abcgpj.exe"),  # right-to-left override: would show as "abcexe.jpg"
        ("\u2066Mads\u2069", "Mads"),  # isolates
        ("Sø\u200bren", "Søren"),  # zero-width space
        ("An\u00adna", "Anna"),  # soft hyphen
        ("\ufeffLine", "Line"),  # byte-order mark
        ("👩\u200d💻 Ida", "👩\u200d💻 Ida"),  # the joiner inside an emoji stays
        ("Ærø Åse", "Ærø Åse"),
    ],
)
def test_format_characters_are_taken_out_of_names(shown: str, kept: str) -> None:
    assert without_format_characters(shown) == kept


@given(st.text())
def test_no_format_character_but_the_joiner_is_left(text: str) -> None:
    cleaned = without_format_characters(text)

    assert all(unicodedata.category(c) != "Cf" or c == "\u200d" for c in cleaned)
    assert without_format_characters(cleaned) == cleaned
