"""Group commit of chat messages: the messages that arrive while one batch is being stored are
stored together next, in one transaction and one trip to the database thread.

Under light load a batch is one message and waits only for two rounds of the event loop; under
heavy load the fixed costs of a commit and of a thread hop are shared by the batch instead of paid
per message, so throughput rises where it is needed. Each sender still gets its `ack` only after
its message is committed, and messages keep the order they arrived in (docs/protocol.md).
"""

from __future__ import annotations

import asyncio

from samraad.counseling import actions
from samraad.counseling.models import Message
from samraad.lib.asyncdb import in_database_thread

# Enough to share the fixed costs, few enough that one batch stays a few milliseconds.
LARGEST_BATCH = 64
# Rounds of the event loop a batch waits for before it leaves, so that frames read meanwhile from
# other sockets join it. Each round reads whatever the sockets have ready and waits for nothing: a
# lone message loses microseconds. At 2,240 msg/s, N = 1,000, two rounds made batches larger and
# the CPU a message 11 % lower, with a third fewer thread switches and the same median latency
# (docs/performance.md); a timer of 1–2 ms saved as much but raised the median from 1.3 to 3–6 ms.
ROUNDS_BEFORE_A_BATCH = 2


class GroupCommit:
    def __init__(self) -> None:
        self.waiting: list[tuple[actions.Post, asyncio.Future[tuple[Message, bool]]]] = []
        self.task: asyncio.Task[None] | None = None

    async def post(self, post: actions.Post) -> tuple[Message, bool]:
        """Stores `post` with whatever else is waiting; raises `Refused` for a refused one."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[Message, bool]] = loop.create_future()
        self.waiting.append((post, answer))
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._store_batches())
        return await answer

    async def _store_batches(self) -> None:
        while self.waiting:
            if len(self.waiting) < LARGEST_BATCH:
                for _ in range(ROUNDS_BEFORE_A_BATCH):
                    await asyncio.sleep(0)
            batch, self.waiting = self.waiting[:LARGEST_BATCH], self.waiting[LARGEST_BATCH:]
            answers: list[object]
            try:
                answers = list(await in_database_thread(actions.do_post_messages, [post for post, _ in batch]))
            except Exception as error:  # the database failed: every sender of the batch hears it
                answers = [error] * len(batch)
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():
                    continue  # the socket went away meanwhile
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)  # type: ignore[arg-type]


group_commit = GroupCommit()
