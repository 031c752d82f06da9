from __future__ import annotations

from channels.testing import WebsocketCommunicator

from samraad.asgi import application


async def test_a_socket_to_an_unknown_path_is_refused_quietly():
    communicator = WebsocketCommunicator(application, "/ws/nothing-here/", headers=[(b"origin", b"http://127.0.0.1")])

    connected, _ = await communicator.connect()

    assert connected is False


async def test_a_socket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/nothing-here/", headers=[(b"origin", b"https://evil.example")]
    )

    connected, _ = await communicator.connect()

    assert connected is False
