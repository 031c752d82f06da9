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


def test_the_server_keeps_start_up_objects_out_of_the_collectors_passes():
    # Full collections stopped the loop for ~250 ms at 2,000 sockets (docs/performance.md).
    import gc

    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] >= 10_000
