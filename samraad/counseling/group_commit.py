"""Group commit of chat messages: the messages that arrive while one batch is being stored are
stored together next, in one transaction and one trip to the database thread.

Under light load a batch is one message and nothing waits; under heavy load the fixed costs of a
commit and of a thread hop are shared by the batch instead of paid per message, so throughput
rises where it is needed. Each sender still gets its `ack` only after its message is committed,
and messages keep the order they arrived in (docs/protocol.md).
"""

from __future__ import annotations

import asyncio

from samraad.counseling import actions
from samraad.counseling.models import Message
from samraad.lib.asyncdb import in_database_thread

# Enough to share the fixed costs, few enough that one batch stays a few milliseconds.
LARGEST_BATCH = 64


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
