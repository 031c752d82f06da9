"""Group commit of chat messages: the messages that arrive while one batch is being stored are
stored together next, in one transaction and one trip to the database thread.

A batch leaves once its first message has waited `GATHER_S`, so the messages of a busy evening
share the fixed costs of a commit and of a thread hop instead of each paying them; messages that
waited while the last batch was stored leave at once. Each sender still gets its `ack` only after
its message is committed, and messages keep the order they arrived in (docs/protocol.md).
"""

from __future__ import annotations

import asyncio

from samraad.counseling import actions
from samraad.counseling.models import Message
from samraad.lib.asyncdb import in_database_thread

# Enough to share the fixed costs, few enough that one batch stays a few milliseconds.
LARGEST_BATCH = 64
# How long a batch's first message waits for others to join it. Without the wait a batch left after
# two rounds of the event loop, and at 70 % of the maximum rate (2,240 msg/s, N = 1,000) batches of
# about three kept the server's core 97 % busy at 437 µs a message, so any pause became a queue.
# Waiting 2 ms cost 357 µs a message and left a fifth of the core free; the median latency rose
# from 1.6 to 4.3 ms, which nobody reading a chat can tell (docs/performance.md). The event loop's
# timers count whole milliseconds.
GATHER_S = 0.002
# Rounds of the event loop a batch whose first message has waited long enough still waits, so that
# frames read meanwhile from other sockets join it: each round waits for nothing.
ROUNDS_BEFORE_A_BATCH = 2


def wait_before_batch(first_arrived: float, now: float) -> float:
    """Seconds the next batch still waits for company (0: it leaves after its rounds)."""
    return max(0.0, first_arrived + GATHER_S - now)


class GroupCommit:
    def __init__(self) -> None:
        # Each post with its sender's answer and the loop's time when it arrived.
        self.waiting: list[tuple[actions.Post, asyncio.Future[tuple[Message, bool]], float]] = []
        self.task: asyncio.Task[None] | None = None

    async def post(self, post: actions.Post) -> tuple[Message, bool]:
        """Stores `post` with whatever else is waiting; raises `Refused` for a refused one."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[Message, bool]] = loop.create_future()
        self.waiting.append((post, answer, loop.time()))
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._store_batches())
        return await answer

    async def _store_batches(self) -> None:
        loop = asyncio.get_running_loop()
        while self.waiting:
            if len(self.waiting) < LARGEST_BATCH:
                delay = wait_before_batch(self.waiting[0][2], loop.time())
                if delay:
                    await asyncio.sleep(delay)
                for _ in range(ROUNDS_BEFORE_A_BATCH):
                    await asyncio.sleep(0)
            batch, self.waiting = self.waiting[:LARGEST_BATCH], self.waiting[LARGEST_BATCH:]
            answers: list[object]
            try:
                answers = list(await in_database_thread(actions.do_post_messages, [post for post, _, _ in batch]))
            except Exception as error:  # the database failed: every sender of the batch hears it
                answers = [error] * len(batch)
            for (_, future, _), answer in zip(batch, answers, strict=True):
                if future.done():
                    continue  # the socket went away meanwhile
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)  # type: ignore[arg-type]


group_commit = GroupCommit()
