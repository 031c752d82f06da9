from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_widget_takes_its_language_from_the_address(client):
    danish = client.get("/chat/widget/?municipality=0751").content.decode()
    english = client.get("/chat/widget/?municipality=0751&lang=en").content.decode()
    nonsense = client.get("/chat/widget/?lang=xx").content.decode()

    assert '<html lang="da">' in danish
    assert '<html lang="en">' in english
    assert 'name="municipality" value="0751"' in english
    assert '<html lang="da">' in nonsense
