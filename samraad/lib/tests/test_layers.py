"""The in-process channel layer: order from a database thread, no silent drops, no leaks."""

from __future__ import annotations

import asyncio
import threading

import pytest

from samraad.lib.layers import OVERFLOW, LocalLayer


async def test_events_given_from_another_thread_arrive_in_the_order_given():
    layer = LocalLayer()
    channel = await layer.new_channel()
    await layer.group_add("conversation-x", channel)

    def commit_many() -> None:
        for seq in range(1, 501):
            layer.group_send_from_thread("conversation-x", {"type": "deliver", "seq": seq})

    thread = threading.Thread(target=commit_many)
    thread.start()
    received = [(await asyncio.wait_for(layer.receive(channel), 2))["seq"] for _ in range(500)]
    thread.join()

    assert received == list(range(1, 501))


async def test_a_socket_too_far_behind_is_told_to_start_over_instead_of_losing_events_silently():
    layer = LocalLayer(capacity=3)
    slow, fast = await layer.new_channel(), await layer.new_channel()
    for channel in (slow, fast):
        await layer.group_add("g", channel)

    for seq in range(4):
        await layer.group_send("g", {"type": "deliver", "seq": seq})
        if seq < 3:
            assert (await layer.receive(fast))["seq"] == seq

    assert await layer.receive(slow) == OVERFLOW
    assert not layer.inboxes[slow].events
    assert (await layer.receive(fast))["seq"] == 3


async def test_a_stopped_consumer_leaves_no_queue_and_no_group_behind():
    layer = LocalLayer()
    channel = await layer.new_channel()
    await layer.group_add("g", channel)
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting

    assert channel not in layer.inboxes
    assert "g" not in layer.groups
    await layer.group_send("g", {"type": "deliver"})  # to nobody, without error


async def test_an_event_is_not_handed_back_to_the_socket_it_came_from():
    layer = LocalLayer()
    sender, peer = await layer.new_channel(), await layer.new_channel()
    for channel in (sender, peer):
        await layer.group_add("conversation-x", channel)

    await layer.group_send("conversation-x", {"type": "deliver", "seq": 1, "origin": sender})
    await layer.group_send("conversation-x", {"type": "deliver", "seq": 2, "origin": ""})

    assert [event["seq"] for event in layer.inboxes[peer].events] == [1, 2]
    assert [event["seq"] for event in layer.inboxes[sender].events] == [2]  # only what it did not send
