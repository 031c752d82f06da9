"""The only door to a change in the chat: open, resume, send, take, transfer, end, rate, block.

Each `do_*` runs in one transaction, takes the conversation's row lock before it reads state,
and lets events leave only after commit (`send_event`).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from samraad.accounts.models import Organisation, User
from samraad.accounts.permissions import Perm, can, conversations_supervised_by, supervised_organisation_id
from samraad.audit.actions import do_record_access, do_record_system_change
from samraad.audit.models import AuditEntry
from samraad.counseling import routing, store, tokens, triage, waiting
from samraad.counseling.errors import Refused
from samraad.counseling.models import (
    Block,
    Conversation,
    Level,
    Message,
    Note,
    Offer,
    PreparedAnswer,
    RiskCategory,
    Seen,
    Topic,
    TriageCorrection,
)
from samraad.lib.events import (
    alerts_group,
    conversation_group,
    counselor_group,
    pool_group,
    send_event,
    staff_group,
    supervisors_group,
    waiting_group,
)
from samraad.lib.text import without_format_characters
from samraad.rota import history
from samraad.rota.models import Presence

State = Conversation.State
Side = Conversation.Side


@dataclass(frozen=True)
class Opened:
    conversation: Conversation
    token: str
    resume_code: str


# --- frames that leave the server --------------------------------------------------------------
def message_frame(message: Message) -> dict[str, Any]:
    return {
        "type": "msg",
        "conversation": str(message.conversation_id),
        "seq": message.seq,
        "sender": message.sender,
        "body": message.body,
        "at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }


def console_message_frame(message: Message) -> dict[str, Any]:
    """A message as a counselor sees it in history: with what triage saw (never sent to the young)."""
    frame = message_frame(message)
    if message.sender == Conversation.Side.YOUNG:
        frame["triage"] = {"level": Level(message.triage_level).name.lower(), "reasons": message.triage_reasons}
    return frame


def state_frame(conversation: Conversation) -> dict[str, Any]:
    return {"type": "state", "conversation": str(conversation.id), "state": conversation.state}


def conversation_summary(conversation: Conversation) -> dict[str, Any]:
    """What a counselor sees of a conversation before opening it: never its text."""
    return {
        "conversation": str(conversation.id),
        "kind": conversation.kind,
        "state": conversation.state,
        "municipality": conversation.municipality.name if conversation.municipality else None,
        "municipality_code": conversation.municipality.municipality_code if conversation.municipality else None,
        "topic": conversation.topic or None,
        "nickname": conversation.nickname or None,
        "triage_level": Level(conversation.triage_level).name.lower(),
        "queued_at": conversation.queued_at.isoformat() if conversation.queued_at else None,
    }


def _deliver(group: str, frame: dict[str, Any], *, origin: str = "") -> None:
    # `origin` is the sending socket's channel name: it has its answer already (ack), the
    # person's other tabs still hear of it.
    send_event(group, {"type": "deliver", "frame": frame, "origin": origin})


# --- the young person --------------------------------------------------------------------------
def check_municipality(code: str | None) -> Organisation | None:
    if code in (None, ""):
        return None
    municipality = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, municipality_code=code).first()
    if municipality is None:
        raise Refused("bad_municipality", "Unknown municipality code.")
    return municipality


def check_topic(topic: str | None) -> str:
    if topic in (None, ""):
        return ""
    if topic not in Topic.values:
        raise Refused("bad_topic", "Unknown topic.")
    return str(topic)


@transaction.atomic
def do_open_conversation(
    *,
    municipality_code: str | None,
    topic: str | None,
    nickname: str | None,
    letter: str | None = None,
    now: datetime | None = None,
) -> Opened:
    """Opens an anonymous chat (or, with `letter`, a letter for the letter box) and returns it
    with its token and resume code, the only time either exists in clear. A letter waits at once;
    a chat joins the queue when its socket says hello (`do_join_queue`)."""
    now = now or timezone.now()
    municipality = check_municipality(municipality_code)
    nickname = " ".join(without_format_characters(nickname or "").split())[:40]
    token, resume_code = tokens.new_token(), tokens.new_resume_code()
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.LETTER if letter is not None else Conversation.Kind.CHAT,
        state=State.WAITING if letter is not None else State.OPENED,
        municipality=municipality,
        topic=check_topic(topic),
        nickname=nickname,
        token_hash=tokens.hash_token(token),
        resume_code_hash=tokens.hash_resume_code(resume_code),
        queued_at=now if letter is not None else None,
    )
    Seen.objects.create(conversation=conversation, young_at=now)
    if letter is not None:
        locked = store.lock(conversation.id, now)
        if locked is not None:  # it was created just above, in this transaction
            _store(locked, Post(conversation.id, Side.YOUNG, None, "", letter))
            conversation.refresh_from_db(fields=["last_seq", "triage_level", "updated_at"])
        announce_queue()
    return Opened(conversation, token, resume_code)


@transaction.atomic
def do_join_queue(conversation_id: uuid.UUID | str, now: datetime | None = None) -> Conversation:
    """A chat whose young person's socket has said hello: one just opened joins the queue (its
    wait starts now); any other is returned as it is."""
    conversation = _locked(conversation_id)
    if conversation.state == State.OPENED:
        now = now or timezone.now()
        conversation.state = State.WAITING
        conversation.queued_at = now
        conversation.save(update_fields=["state", "queued_at", "updated_at"])
        announce_queue()
    return conversation


def check_conversation_for_token(token: str) -> Conversation | None:
    return Conversation.objects.select_related("municipality").filter(token_hash=tokens.hash_token(token)).first()


@transaction.atomic
def do_resume(resume_code: str) -> tuple[Conversation, str] | None:
    """Returns the conversation with a fresh token (the old one stops working), or None."""
    code_hash = tokens.hash_resume_code(resume_code)
    conversation = Conversation.objects.select_for_update().filter(resume_code_hash=code_hash).first()
    if conversation is None:
        return None
    token = tokens.new_token()
    conversation.token_hash = tokens.hash_token(token)
    conversation.save(update_fields=["token_hash", "updated_at"])
    return conversation, token


def do_delete_conversation(resume_code: str, now: datetime | None = None) -> bool:
    """Deletes, at once, the words of the conversation the resume code opens, as retention would
    later (`_delete_words`): the numbers the reports need stay. A waiting or active conversation
    is ended first, as if the young person had ended it, so the counselor's console and the queue
    hear of it; then the young person's sockets are closed. Returns False when no conversation
    has that code (never issued, or deleted already). Refuses one on legal hold: its words are
    kept for a report or a complaint."""
    now = now or timezone.now()
    with transaction.atomic():
        code_hash = tokens.hash_resume_code(resume_code)
        conversation = Conversation.objects.select_for_update().filter(resume_code_hash=code_hash).first()
        if conversation is None:
            return False
        if conversation.legal_hold:
            raise Refused("legal_hold", "This conversation is kept for now and cannot be deleted.")
        do_end(conversation.id, side=Side.YOUNG)
        _delete_words([conversation.id], now)
        send_event(conversation_group(conversation.id), {"type": "deleted"})
    return True


NOT_FOUND = Refused("not_found", "No such conversation.")
# For a counselor a missing conversation answers as another's, so answers never say which exist.
NOT_YOURS = Refused("not_yours", "This conversation is not yours.")


def _locked(conversation_id: uuid.UUID | str, missing: Refused = NOT_FOUND) -> Conversation:
    try:
        return Conversation.objects.select_for_update().get(pk=conversation_id)
    except (Conversation.DoesNotExist, ValueError) as error:
        raise Refused(missing.code, missing.detail) from error


def _locked_held(conversation_id: uuid.UUID | str, user: User | None) -> Conversation:
    """Locks the conversation `user` holds as its counselor; one answer whether it is missing or
    another's (as `check_held`)."""
    conversation = _locked(conversation_id, missing=NOT_YOURS)
    if user is None or conversation.counselor_id != user.pk:
        raise Refused(NOT_YOURS.code, NOT_YOURS.detail)
    return conversation


def _assess(conversation: store.Locked, sender: str, body: str) -> tuple[Level, list[str]]:
    """What triage sees in a message; only the young person's words are scored. Once the message
    or the conversation shows a risk, the message is read together with the young person's
    latest messages (`triage.score_conversation`), so that a place in one and an intent in the one
    before make it critical. A calm message in a calm conversation, most of a chat, costs one
    reading. Messages before a counselor's correction are not read again (`triage_from_seq`)."""
    if sender != Side.YOUNG:
        return Level.NORMAL, []
    assessment = triage.score_message(body)
    calm = assessment.level == "normal" and conversation.triage_level == Level.NORMAL
    if not calm and assessment.level != "critical" and conversation.triage_level != Level.CRITICAL:
        earlier = (
            Message.objects.filter(
                conversation_id=conversation.id, sender=Side.YOUNG, seq__gt=conversation.triage_from_seq
            )
            .order_by("-seq")
            .values_list("body", flat=True)[: triage.CONVERSATION_WINDOW - 1]
        )
        assessment = triage.score_conversation([*reversed(earlier), body])
    return Level[assessment.level.upper()], list(assessment.reasons)


def _announce_risk(conversation: Conversation, message: Message, *, raised: bool) -> None:
    """Tells the counselor (and for a critical message the supervisors) what triage saw; a
    waiting conversation whose level rose moves up the queue."""
    frame = {
        "type": "triage",
        "conversation": str(conversation.id),
        "seq": message.seq,
        "level": Level(message.triage_level).name.lower(),
        "reasons": message.triage_reasons,
    }
    if conversation.counselor_id is not None:
        send_event(counselor_group(conversation.counselor_id), {"type": "deliver", "frame": frame, "origin": ""})
    if message.triage_level == Level.CRITICAL:
        alert = {
            **frame,
            "type": "alert",
            "state": conversation.state,
            "municipality": conversation.municipality.name if conversation.municipality else None,
            "counselor_id": conversation.counselor_id,
        }
        event = {"type": "alert", "frame": alert}
        # The pool's supervisors, and the own supervisors of the young person's municipality and
        # of the counselor's organisation: each hears of it once.
        counselor_organisation = conversation.counselor.organisation_id if conversation.counselor else None
        for organisation_id in {None, conversation.municipality_id, counselor_organisation}:
            send_event(alerts_group(organisation_id), event)
    if raised and conversation.state == State.WAITING:
        announce_queue()


@dataclass(frozen=True)
class Post:
    """One message to store: what a socket's `msg` frame asks for."""

    conversation_id: uuid.UUID | str
    sender: str
    author: User | None
    client_id: str
    body: str
    origin: str = ""  # the sending socket, which has its answer already (the ack)


@transaction.atomic
def do_post_message(
    conversation_id: uuid.UUID | str,
    *,
    sender: str,
    author: User | None,
    client_id: str,
    body: str,
    origin: str = "",
) -> tuple[Message, bool]:
    """Stores a message and returns it with whether it is new. A resend with a `client_id`
    already stored returns the stored message and stores nothing."""
    return _post(Post(conversation_id, sender, author, client_id, body, origin))


def do_post_messages(posts: list[Post]) -> list[tuple[Message, bool] | Refused]:
    """Stores a batch of messages in one transaction (group commit): one commit and one trip to
    the database thread for all the messages that arrived while the last batch was stored. Each
    post gets its own answer; a refused one changes nothing. Events leave after the commit."""
    try:
        with transaction.atomic():
            store.lock_in_order({str(post.conversation_id) for post in posts})
            answers: list[tuple[Message, bool] | Refused] = []
            for post in posts:
                try:
                    answers.append(_post(post))
                except Refused as refusal:
                    answers.append(refusal)
            return answers
    except IntegrityError:
        # A twin stored by another worker between check and insert: one at a time, each alone.
        return [_post_alone(post) for post in posts]


def _post_alone(post: Post) -> tuple[Message, bool] | Refused:
    try:
        with transaction.atomic():
            return _post(post)
    except Refused as refusal:
        return refusal


def _post(post: Post) -> tuple[Message, bool]:
    """The hottest path of the chat; its statements are in `store` (why is said there)."""
    conversation = store.lock(post.conversation_id, timezone.now())
    if conversation is None:
        if post.sender == Side.COUNSELOR:  # as for another's: which ids exist is no counselor's business
            raise Refused("not_yours", "This conversation is not yours.")
        raise Refused("not_found", "No such conversation.")
    try:
        _check_post(conversation, post)
    except Refused:
        # A resend of a message stored before the refusal began to apply (the conversation has
        # ended since, or moved to a colleague) still gets its ack, not a refusal.
        if post.client_id:
            with contextlib.suppress(Message.DoesNotExist):
                return _stored_twin(conversation, post), False
        raise
    message = _store(conversation, post)
    if message is None:  # a resend, recognised by the unique index as it was inserted
        return _stored_twin(conversation, post), False
    return message, True


def _stored_twin(conversation: store.Locked, post: Post) -> Message:
    """The stored message `post` repeats (by its `client_id`); Message.DoesNotExist if none."""
    return Message.objects.get(pk=store.resent_id(conversation.id, post.sender, post.client_id) or 0)


def _check_post(conversation: store.Locked, post: Post) -> None:
    author = post.author
    if post.sender == Side.COUNSELOR and (author is None or conversation.counselor_id != author.pk):
        raise Refused("not_yours", "This conversation is not yours.")
    if conversation.state in (State.ENDED, State.ABANDONED):
        raise Refused("ended", "The conversation has ended.")
    if post.sender == Side.YOUNG:
        if conversation.blocked:
            raise Refused("blocked", "This conversation is closed for now.")
        if conversation.kind == Conversation.Kind.LETTER:
            raise Refused("letter", "A letter is answered by a counselor; it takes no more messages.")


def _store(conversation: store.Locked, post: Post) -> Message | None:
    """Numbers, triages and stores a post that passed the checks, and announces it after commit;
    None for a resend of a stored message."""
    level, reasons = _assess(conversation, post.sender, post.body)
    was = conversation.triage_level
    message = store.append(
        conversation,
        sender=post.sender,
        author_id=post.author.pk if post.author else None,
        client_id=post.client_id,
        body=post.body,
        triage_level=level,
        triage_reasons=reasons,
    )
    if message is None:
        return None
    _deliver(conversation_group(conversation.id), message_frame(message), origin=post.origin)
    if level > Level.NORMAL:
        # Never lowered (store.append keeps the higher level): a calm message after a cry for help
        # does not undo it.
        _announce_risk(Conversation.objects.get(pk=conversation.id), message, raised=level > was)
    return message


def messages_after(conversation_id: uuid.UUID | str, seq: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id, seq__gt=seq).order_by("seq"))


@transaction.atomic
def do_mark_read(conversation_id: uuid.UUID | str, *, side: str, seq: int, user: User | None = None) -> None:
    conversation = _locked_held(conversation_id, user) if side == Side.COUNSELOR else _locked(conversation_id)
    seq = min(seq, conversation.last_seq)
    field = "young_read_seq" if side == Side.YOUNG else "counselor_read_seq"
    if seq <= getattr(conversation, field):
        return
    setattr(conversation, field, seq)
    conversation.save(update_fields=[field, "updated_at"])
    frame = {"type": "read", "conversation": str(conversation.id), "side": side, "seq": seq}
    _deliver(conversation_group(conversation.id), frame)


@transaction.atomic
def do_rate(conversation_id: uuid.UUID | str, *, rating: int, comment: str) -> None:
    conversation = _locked(conversation_id)
    if conversation.state != State.ENDED:
        raise Refused("not_ended", "A conversation is rated after it has ended.")
    if conversation.rating is not None:
        raise Refused("rated", "This conversation has been rated already.")
    conversation.rating = rating
    conversation.rating_comment = comment.strip()[:1000]
    conversation.save(update_fields=["rating", "rating_comment", "updated_at"])


# --- ending ------------------------------------------------------------------------------------
@transaction.atomic
def do_end(conversation_id: uuid.UUID | str, *, side: str, user: User | None = None) -> Conversation:
    conversation = _locked_held(conversation_id, user) if side == Side.COUNSELOR else _locked(conversation_id)
    if conversation.state in (State.ENDED, State.ABANDONED):
        return conversation
    was_waiting = conversation.state in (State.OPENED, State.WAITING)
    conversation.state = State.ABANDONED if was_waiting and side == Side.YOUNG else State.ENDED
    conversation.ended_at = timezone.now()
    conversation.save(update_fields=["state", "ended_at", "updated_at"])
    _deliver(conversation_group(conversation.id), state_frame(conversation))
    if was_waiting:
        announce_queue()
    else:
        send_event(supervisors_group(), {"type": "floor.changed"})
    return conversation


# --- counselors --------------------------------------------------------------------------------
def _presence(user: User, *, lock: bool = False) -> Presence:
    presence, _ = Presence.objects.get_or_create(user=user)
    if lock:
        presence = Presence.objects.select_for_update().get(pk=presence.pk)
    return presence


def do_close_consoles(user_id: int) -> None:
    """Closes every console socket of a person who signed out, was deactivated or lost a role;
    a socket that reconnects meets the checks again."""
    send_event(staff_group(user_id), {"type": "signed_out"})


def check_console_user(user: Any) -> User:
    if not can(user, Perm.USE_CONSOLE):
        raise Refused("forbidden", "Only counselors and supervisors use the console.")
    return user


@transaction.atomic
def do_set_shift(user: User, *, on: bool) -> Presence:
    check_console_user(user)
    presence = _presence(user, lock=True)
    presence.on_shift = on
    presence.seen_at = timezone.now()
    presence.save(update_fields=["on_shift", "seen_at", "changed_at"])
    if on:
        history.shift_started(user, presence.seen_at)
    else:
        history.shift_ended(user.pk, presence.seen_at)
    announce_queue()
    return presence


def held_by(user: User) -> list[Conversation]:
    """The conversations a counselor holds now (active chats and letters being answered)."""
    return list(
        Conversation.objects.select_related("municipality")
        .filter(counselor=user, state=State.ACTIVE)
        .order_by("assigned_at")
    )


def _assign(conversation: Conversation, user: User, now: datetime) -> None:
    for offer in Offer.objects.filter(conversation=conversation, answer=Offer.Answer.PENDING).exclude(counselor=user):
        offer.answer = Offer.Answer.WITHDRAWN
        offer.save(update_fields=["answer"])
        send_event(
            counselor_group(offer.counselor_id), {"type": "offer.withdrawn", "conversation": str(conversation.id)}
        )
    Offer.objects.filter(conversation=conversation, counselor=user, answer=Offer.Answer.PENDING).update(
        answer=Offer.Answer.ACCEPTED
    )
    if conversation.assigned_at is None:
        conversation.assigned_at = now
        conversation.answered_by_id = user.organisation_id
    conversation.state = State.ACTIVE
    conversation.counselor = user
    conversation.save(update_fields=["state", "counselor", "assigned_at", "answered_by", "updated_at"])
    Seen.objects.update_or_create(conversation=conversation, defaults={"counselor_at": now})
    _deliver(conversation_group(conversation.id), state_frame(conversation))
    send_event(counselor_group(user.pk), {"type": "assigned", "conversation": str(conversation.id)})


def _waiting_for_routing() -> list[routing.Waiting]:
    rows = Conversation.objects.filter(state=State.WAITING, kind=Conversation.Kind.CHAT).values_list(
        "id", "municipality_id", "triage_level", "queued_at"
    )
    return [
        routing.Waiting(id=id_, municipality_id=municipality, priority=level, queued_at=queued or timezone.now())
        for id_, municipality, level, queued in rows
    ]


def _locally_staffed(counselors: list[Presence]) -> frozenset[uuid.UUID]:
    """Municipalities with one of their own counselors on shift now."""
    return frozenset(
        presence.user.organisation_id for presence in counselors if presence.user.organisation_id is not None
    )


@transaction.atomic
def do_take(user: User, conversation_id: uuid.UUID | None = None) -> Conversation | None:
    """Takes the top waiting chat `user` may take (see `routing`), or the given waiting letter;
    None when there is none. Never gives one conversation to two counselors, also with many
    workers: each candidate is claimed under a row lock that other takers skip."""
    check_console_user(user)
    presence = _presence(user, lock=True)  # serialises one counselor's own takes
    if not presence.on_shift:
        raise Refused("off_shift", "Go on shift to take conversations.")
    now = timezone.now()
    if conversation_id is not None:
        letter = (
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(pk=conversation_id, state=State.WAITING, kind=Conversation.Kind.LETTER)
            .first()
        )
        if letter is None:
            raise Refused("not_found", "That letter is not waiting any more.")
        _assign(letter, user, now)
        announce_queue()
        return letter
    held = Conversation.objects.filter(counselor=user, state=State.ACTIVE, kind=Conversation.Kind.CHAT).count()
    if held >= presence.capacity:
        raise Refused("capacity", "You have as many conversations as you can take.")
    candidates = routing.next_for(
        _waiting_for_routing(),
        organisation_id=user.organisation_id,
        now=now,
        window_s=settings.SAMRAAD_LOCAL_PREFERENCE_S,
        locally_staffed=_locally_staffed(available_counselors(now)),
    )
    for candidate in candidates:
        conversation = (
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(pk=candidate.id, state=State.WAITING)
            .first()
        )
        if conversation is not None:
            _assign(conversation, user, now)
            announce_queue()
            return conversation
    return None


@transaction.atomic
def do_accept_offer(user: User, conversation_id: uuid.UUID | str) -> Conversation:
    """Takes a conversation offered to `user`, if the offer still stands."""
    check_console_user(user)
    presence = _presence(user, lock=True)
    offer = (
        Offer.objects.select_for_update()
        .filter(conversation_id=conversation_id, counselor=user, answer=Offer.Answer.PENDING)
        .first()
    )
    conversation = _locked(conversation_id) if offer is not None else None
    if offer is None or conversation is None or conversation.state != State.WAITING:
        raise Refused("offer_gone", "The offer is no longer open.")
    held = Conversation.objects.filter(counselor=user, state=State.ACTIVE, kind=Conversation.Kind.CHAT).count()
    if held >= presence.capacity:
        raise Refused("capacity", "You have as many conversations as you can take.")
    _assign(conversation, user, timezone.now())
    announce_queue()
    return conversation


@transaction.atomic
def do_decline_offer(user: User, conversation_id: uuid.UUID | str) -> None:
    """Passes an offer on; the conversation is offered to the next counselor at once."""
    updated = Offer.objects.filter(conversation_id=conversation_id, counselor=user, answer=Offer.Answer.PENDING).update(
        answer=Offer.Answer.DECLINED
    )
    if updated:
        transaction.on_commit(do_dispatch_offers)


def offer_view(conversation_id: uuid.UUID | str, user: User) -> dict[str, Any] | None:
    """What an offer shows the counselor: the summary (never text) and how long it stands."""
    offer = (
        Offer.objects.select_related("conversation__municipality")
        .filter(conversation_id=conversation_id, counselor=user, answer=Offer.Answer.PENDING)
        .first()
    )
    if offer is None:
        return None
    expires_in = max(0, int((offer.expires_at - timezone.now()).total_seconds()))
    return {**conversation_summary(offer.conversation), "expires_in_s": expires_in}


def _auto_candidates(available: list[Presence]) -> list[routing.Candidate]:
    counselors = [
        presence
        for presence in available
        if presence.user.organisation is not None
        and presence.user.organisation.assignment == Organisation.Assignment.AUTO
    ]
    ids = [presence.user_id for presence in counselors]
    pending = dict(
        Offer.objects.filter(counselor_id__in=ids, answer=Offer.Answer.PENDING)
        .values_list("counselor_id")
        .annotate(count=Count("id"))
    )
    last = dict(
        Offer.objects.filter(counselor_id__in=ids).values_list("counselor_id").annotate(latest=models.Max("offered_at"))
    )
    return [
        routing.Candidate(
            user_id=presence.user_id,
            organisation_id=presence.user.organisation_id,
            free=presence.capacity - presence.held - pending.get(presence.user_id, 0),  # type: ignore[attr-defined]
            last_offered_at=last.get(presence.user_id),
        )
        for presence in counselors
    ]


def do_dispatch_offers(now: datetime | None = None, *, counselors: list[Presence] | None = None) -> int:
    """Offers waiting chats to the counselors of auto-assigning organisations, in queue order;
    lets run-out offers go and gives them to the next counselor. Returns how many offers were
    made. Safe to run in every worker at once: a conversation has at most one open offer."""
    now = now or timezone.now()
    made = 0
    with transaction.atomic():
        for offer in Offer.objects.select_for_update(skip_locked=True).filter(
            answer=Offer.Answer.PENDING, expires_at__lte=now
        ):
            offer.answer = Offer.Answer.EXPIRED
            offer.save(update_fields=["answer"])
            send_event(
                counselor_group(offer.counselor_id),
                {"type": "offer.withdrawn", "conversation": str(offer.conversation_id)},
            )
        # Most beats find nobody waiting: then the counselors on shift (thousands of model
        # objects, in reference cycles the garbage collector has to find) are not loaded at all.
        waiting = _waiting_for_routing()
        if not waiting:
            return 0
        counselors = available_counselors(now) if counselors is None else counselors
        candidates = {candidate.user_id: candidate for candidate in _auto_candidates(counselors)}
        if not candidates:
            return 0
        offered = set(Offer.objects.filter(answer=Offer.Answer.PENDING).values_list("conversation_id", flat=True))
        # Who let each waiting conversation pass, in one query rather than one per conversation.
        passed_by: dict[uuid.UUID, set[int]] = {}
        for conversation_id, counselor_id in Offer.objects.filter(
            conversation__state=State.WAITING, answer__in=[Offer.Answer.DECLINED, Offer.Answer.EXPIRED]
        ).values_list("conversation_id", "counselor_id"):
            passed_by.setdefault(conversation_id, set()).add(counselor_id)
        locally_staffed = _locally_staffed(counselors)
        for item in routing.queue_order(waiting):
            if item.id in offered:
                continue
            passed = frozenset(passed_by.get(item.id, ()))
            target = routing.choose_counselor(
                item,
                candidates.values(),
                now=now,
                window_s=settings.SAMRAAD_LOCAL_PREFERENCE_S,
                locally_staffed=locally_staffed,
                passed=passed,
            )
            if target is None:
                continue
            try:
                with transaction.atomic():
                    Offer.objects.create(
                        conversation_id=item.id,
                        counselor_id=target,
                        offered_at=now,
                        expires_at=now + timedelta(seconds=settings.SAMRAAD_OFFER_TIMEOUT_S),
                    )
            except IntegrityError:
                continue  # another worker offered it a moment ago
            chosen = candidates[target]
            candidates[target] = replace(chosen, free=chosen.free - 1, last_offered_at=now)
            send_event(counselor_group(target), {"type": "offer", "conversation": str(item.id)})
            made += 1
    return made


@transaction.atomic
def do_transfer(conversation_id: uuid.UUID | str, *, user: User, to_user_id: int) -> Conversation:
    """Hands an active conversation to a colleague on shift: done by the counselor who holds it,
    or by a supervisor from the floor."""
    conversation = _locked(conversation_id, missing=NOT_YOURS)
    holder_id = conversation.counselor_id
    if conversation.state != State.ACTIVE or (holder_id != user.pk and not can(user, Perm.SUPERVISE, conversation)):
        raise Refused(NOT_YOURS.code, NOT_YOURS.detail)
    colleague = User.objects.filter(pk=to_user_id, is_active=True).first()
    if colleague is None or colleague.pk == holder_id or not can(colleague, Perm.USE_CONSOLE):
        raise Refused("bad_colleague", "Choose a colleague who is on shift.")
    presence = _presence(colleague, lock=True)
    if not presence.on_shift:
        raise Refused("bad_colleague", "Choose a colleague who is on shift.")
    Note.objects.create(conversation=conversation, author=user, body=f"{user} → {colleague}")
    if holder_id is not None:
        send_event(counselor_group(holder_id), {"type": "released", "conversation": str(conversation.id)})
    _assign(conversation, colleague, timezone.now())
    send_event(supervisors_group(), {"type": "floor.changed"})
    return conversation


def console_view(conversation_id: uuid.UUID | str, user: User) -> dict[str, Any] | None:
    """What a counselor's console shows of a conversation they hold, or None if they do not."""
    conversation = (
        Conversation.objects.select_related("municipality").filter(pk=conversation_id, counselor=user).first()
    )
    if conversation is None:
        return None
    return _full_view(conversation)


def do_watch(conversation_id: uuid.UUID | str, *, user: User) -> dict[str, Any]:
    """A supervisor reads a live (waiting or active) conversation they supervise from the floor;
    the read is written to the audit log. One answer for missing, ended and not theirs."""
    if not can(user, Perm.SUPERVISE):
        raise Refused("forbidden", "Only supervisors read others' conversations.")
    conversation = (
        Conversation.objects.select_related("municipality", "counselor")
        .filter(pk=conversation_id, state__in=(State.WAITING, State.ACTIVE))
        .first()
    )
    if conversation is None or not can(user, Perm.SUPERVISE, conversation):
        raise Refused("not_found", "No such live conversation.")
    do_record_access(
        user,
        AuditEntry.Action.READ,
        conversation,
        reason="supervisor read a live conversation from the floor",
        organisation=conversation.municipality,
    )
    return _full_view(conversation)


@transaction.atomic
def do_correct_triage(
    conversation_id: uuid.UUID | str, *, user: User, level: str, reason: str, category: str = ""
) -> Conversation:
    """Sets a live conversation's triage level by hand: the counselor who holds it, or a
    supervisor who supervises it. The level stays until a later message raises it; what was read
    before is not read again (`triage_from_seq`). The correction is counted without the words
    (`TriageCorrection`), the reason kept as a note of the conversation, the change audited. A
    waiting conversation moves in the queue at once."""
    conversation = _locked(conversation_id, missing=NOT_YOURS)
    live = conversation.state in (State.WAITING, State.ACTIVE)
    holds = conversation.state == State.ACTIVE and conversation.counselor_id == user.pk
    if not live or not (holds or can(user, Perm.SUPERVISE, conversation)):
        raise Refused(NOT_YOURS.code, NOT_YOURS.detail)
    if category not in ("", *RiskCategory.values):
        raise Refused("bad_category", "Unknown kind of risk.")
    was, new = Level(conversation.triage_level), Level[level.upper()]
    if new == was:
        raise Refused("same_level", "The conversation has that level already.")
    conversation.triage_level = new
    conversation.triage_from_seq = conversation.last_seq
    conversation.save(update_fields=["triage_level", "triage_from_seq", "updated_at"])
    TriageCorrection.objects.create(
        conversation=conversation,
        municipality_id=conversation.municipality_id,
        corrected_by=user,
        direction=TriageCorrection.Direction.UP if new > was else TriageCorrection.Direction.DOWN,
        from_level=was,
        to_level=new,
        category=category,
    )
    note = Note.objects.create(conversation=conversation, author=user, body=f"{was.label} → {new.label}: {reason}")
    do_record_access(
        user,
        AuditEntry.Action.CHANGE,
        conversation,
        reason=f"triage level set by hand: {was.name.lower()} → {new.name.lower()}",
        organisation=conversation.municipality,
    )
    changed = {"type": "level", "conversation": str(conversation.id), "level": new.name.lower(), "by": str(user)}
    noted = {
        "type": "note",
        "conversation": str(conversation.id),
        "body": note.body,
        "author": str(user),
        "at": note.created_at.isoformat(),
    }
    for frame in (changed, noted):
        for recipient in {user.pk, conversation.counselor_id} - {None}:
            send_event(counselor_group(recipient), {"type": "deliver", "frame": frame, "origin": ""})  # type: ignore[arg-type]
    send_event(supervisors_group(), {"type": "floor.changed"})
    if conversation.state == State.WAITING:
        announce_queue()
    return conversation


def _full_view(conversation: Conversation) -> dict[str, Any]:
    notes = conversation.notes.select_related("author").order_by("created_at")
    return {
        **conversation_summary(conversation),
        "last_seq": conversation.last_seq,
        "young_read_seq": conversation.young_read_seq,
        "counselor_read_seq": conversation.counselor_read_seq,
        "history": [console_message_frame(message) for message in conversation.messages.order_by("seq")],
        "notes": [{"body": note.body, "author": str(note.author), "at": note.created_at.isoformat()} for note in notes],
    }


def check_held(conversation_id: uuid.UUID | str, user: User) -> Conversation:
    """Returns the conversation if `user` holds it; one answer for "missing" and "not yours"."""
    conversation = Conversation.objects.filter(pk=conversation_id, counselor=user).first()
    if conversation is None:
        raise Refused("not_yours", "This conversation is not yours.")
    return conversation


@transaction.atomic
def do_add_note(conversation_id: uuid.UUID | str, *, user: User, body: str) -> Note:
    conversation = check_held(conversation_id, user)
    note = Note.objects.create(conversation=conversation, author=user, body=body)
    frame = {
        "type": "note",
        "conversation": str(conversation.id),
        "body": note.body,
        "author": str(user),
        "at": note.created_at.isoformat(),
    }
    send_event(counselor_group(user.pk), {"type": "deliver", "frame": frame, "origin": ""})
    return note


@transaction.atomic
def do_set_topic(conversation_id: uuid.UUID | str, *, user: User, topic: str) -> Conversation:
    conversation = check_held(conversation_id, user)
    conversation.topic = check_topic(topic)
    conversation.save(update_fields=["topic", "updated_at"])
    return conversation


@transaction.atomic
def do_block(conversation_id: uuid.UUID | str, *, user: User, minutes: int, reason: str) -> Block:
    """Keeps the sender out for `minutes`: this conversation at once, and new ones from the same
    connection once its socket has written the day's salted hash into the block."""
    conversation = _locked_held(conversation_id, user)
    until = timezone.now() + timedelta(minutes=minutes)
    block = Block.objects.create(conversation=conversation, until=until, created_by=user, reason=reason)
    conversation.blocked_until = until
    conversation.state = State.ENDED
    conversation.ended_at = conversation.ended_at or timezone.now()
    conversation.save(update_fields=["blocked_until", "state", "ended_at", "updated_at"])
    _deliver(conversation_group(conversation.id), state_frame(conversation))
    send_event(conversation_group(conversation.id), {"type": "blocked", "block": block.pk})
    return block


def do_attach_block_source(block_id: int, source_hash: str) -> None:
    Block.objects.filter(pk=block_id, source_hash="").update(source_hash=source_hash)


def is_source_blocked(source_hash: str, now: datetime | None = None) -> bool:
    return bool(source_hash) and Block.objects.filter(source_hash=source_hash, until__gt=now or timezone.now()).exists()


# --- the queue ---------------------------------------------------------------------------------
def waiting_chats() -> list[Conversation]:
    """Waiting chats in queue order: triage level, then arrival (see `routing.queue_order`)."""
    return list(
        Conversation.objects.select_related("municipality")
        .filter(state=State.WAITING, kind=Conversation.Kind.CHAT)
        .order_by("-triage_level", "queued_at", "id")
    )


def waiting_letters() -> list[Conversation]:
    return list(
        Conversation.objects.select_related("municipality")
        .filter(state=State.WAITING, kind=Conversation.Kind.LETTER)
        .order_by("queued_at")
    )


def available_counselors(now: datetime | None = None) -> list[Presence]:
    """Counselors on shift whose console has been seen within the grace period."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S)
    return list(
        Presence.objects.filter(on_shift=True, seen_at__gte=since)
        .select_related("user__organisation")
        .annotate(
            held=Count(
                "user__conversations",
                filter=Q(user__conversations__state=State.ACTIVE, user__conversations__kind=Conversation.Kind.CHAT),
            )
        )
    )


def is_open(now: datetime | None = None) -> bool:
    """Whether anyone can answer a chat now; otherwise the young person is offered a letter."""
    return bool(available_counselors(now))


def queue_estimates(now: datetime | None = None, *, counselors: list[Presence] | None = None) -> dict[str, Any]:
    """What a waiting young person needs for an honest estimate, given their position."""
    counselors = available_counselors(now) if counselors is None else counselors
    held = [(p.capacity, p.held) for p in counselors]  # type: ignore[attr-defined]
    free = sum(max(capacity - count, 0) for capacity, count in held)
    busy = sum(min(count, capacity) for capacity, count in held)
    recent = (
        Conversation.objects.filter(state=State.ENDED, kind=Conversation.Kind.CHAT, assigned_at__isnull=False)
        .order_by("-ended_at")
        .values_list("assigned_at", "ended_at")[:50]
    )
    handle_s = waiting.mean_handle_s([(end - start).total_seconds() for start, end in recent if end and start])
    return {"free_slots": free, "busy_slots": busy, "handle_s": handle_s}


def queue_snapshot(
    chats: list[Conversation] | None = None, *, counselors: list[Presence] | None = None
) -> dict[str, Any]:
    """What every console on shift sees of the queue: who waits (never what they wrote) and
    which colleagues are on shift to transfer to."""
    chats = waiting_chats() if chats is None else chats
    counselors = available_counselors() if counselors is None else counselors
    colleagues = sorted(counselors, key=lambda presence: (presence.user.first_name, presence.user.username))
    return {
        "waiting": [conversation_summary(conversation) for conversation in chats + waiting_letters()],
        "colleagues": [{"id": presence.user_id, "name": str(presence.user)} for presence in colleagues],
    }


def floor_snapshot(user: User, now: datetime | None = None) -> dict[str, Any]:
    """The supervisor's floor: who waits (by municipality and level), who is on shift with what
    load, which conversations are live; of the whole pool for its supervisors, of their own
    young people and counselors for a municipality's (`permissions.conversations_supervised_by`).
    Never message text."""
    now = now or timezone.now()
    seen_since = now - timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S)
    supervised = conversations_supervised_by(user)
    live = list(
        Conversation.objects.select_related("municipality", "counselor")
        .filter(supervised, state=State.ACTIVE)
        .order_by("-triage_level", "assigned_at")
    )
    load: dict[int, int] = {}
    for conversation in live:
        if conversation.counselor_id is not None:
            load[conversation.counselor_id] = load.get(conversation.counselor_id, 0) + 1
    on_shift = Presence.objects.filter(on_shift=True).select_related("user__organisation").order_by("user__username")
    own_organisation = supervised_organisation_id(user)
    if own_organisation is not None:
        on_shift = on_shift.filter(user__organisation_id=own_organisation)
    waiting_list = []
    for conversation in waiting_chats() + waiting_letters():
        # A waiting conversation has no counselor: a municipality's supervisor sees its own young people.
        if own_organisation is not None and conversation.municipality_id != own_organisation:
            continue
        waited = (now - conversation.queued_at).total_seconds() if conversation.queued_at else 0
        waiting_list.append(
            {
                **conversation_summary(conversation),
                "waiting_s": int(waited),
                "long": waited >= settings.SAMRAAD_FLOOR_LONG_WAIT_S,
            }
        )
    return {
        "waiting": waiting_list,
        "counselors": [
            {
                "id": presence.user_id,
                "name": str(presence.user),
                "organisation": str(presence.user.organisation) if presence.user.organisation else None,
                "load": load.get(presence.user_id, 0),
                "capacity": presence.capacity,
                "connected": bool(presence.seen_at and presence.seen_at >= seen_since),
            }
            for presence in on_shift
        ],
        "live": [
            {
                **conversation_summary(conversation),
                "counselor": str(conversation.counselor) if conversation.counselor else None,
                "counselor_id": conversation.counselor_id,
                "assigned_at": conversation.assigned_at.isoformat() if conversation.assigned_at else None,
            }
            for conversation in live
        ],
        "long_wait_s": settings.SAMRAAD_FLOOR_LONG_WAIT_S,
    }


def announce_queue() -> None:
    """After commit: tells waiting young people their positions and consoles the queue."""

    def publish() -> None:
        chats = waiting_chats()
        counselors = available_counselors()  # once, for the estimate, the snapshot and the offers
        estimates = queue_estimates(counselors=counselors)
        order = [str(conversation.id) for conversation in chats]
        send_event(waiting_group(), {"type": "queue.positions", "order": order, "estimates": estimates})
        send_event(pool_group(), {"type": "queue.snapshot", **queue_snapshot(chats, counselors=counselors)})
        send_event(supervisors_group(), {"type": "floor.changed"})
        do_dispatch_offers(counselors=counselors)

    transaction.on_commit(publish)


def queue_frame(conversation_id: str, order: list[str], estimates: dict[str, Any]) -> dict[str, Any] | None:
    if conversation_id not in order:
        return None
    position = order.index(conversation_id) + 1
    return {"type": "queue", "position": position, "eta_s": waiting.estimate_wait_s(position, **estimates)}


# --- presence over time ------------------------------------------------------------------------
def do_touch(*, young: list[str], counselor: list[str], consoles: list[int], now: datetime | None = None) -> None:
    """One heartbeat for every socket a worker holds, in a few statements."""
    now = now or timezone.now()
    if young or counselor:
        with transaction.atomic():
            store.mark_seen(set(young), set(counselor), now)
    if consoles:
        Presence.objects.filter(user_id__in=consoles).update(seen_at=now)
        history.consoles_seen(consoles, now)


def do_forget_unconnected(now: datetime | None = None) -> int:
    """Deletes the chats opened longer than SAMRAAD_CHAT_CONNECT_GRACE_S ago whose socket never
    said hello: never in the queue, they hold no words and count in no report. Returns how many."""
    now = now or timezone.now()
    since = now - timedelta(seconds=settings.SAMRAAD_CHAT_CONNECT_GRACE_S)
    _, deleted = Conversation.objects.filter(state=State.OPENED, created_at__lt=since).delete()
    return deleted.get(Conversation._meta.label, 0)


def do_sweep(now: datetime | None = None) -> tuple[int, int]:
    """Moves conversations on whose side has gone: a young person gone while waiting has left
    (abandoned); a counselor gone from an active chat returns it to the queue, at its old place.
    Returns (abandoned, returned). Safe to run in every worker at once."""
    now = now or timezone.now()
    young_gone = now - timedelta(seconds=settings.SAMRAAD_CHAT_YOUNG_GRACE_S)
    counselor_gone = now - timedelta(seconds=settings.SAMRAAD_CHAT_COUNSELOR_GRACE_S)
    abandoned = returned = 0
    do_forget_unconnected(now)
    with transaction.atomic():
        # Only the conversations' rows are locked (of self): a beat may be touching their Seen.
        for left in (
            Conversation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=State.WAITING, kind=Conversation.Kind.CHAT, seen__young_at__lt=young_gone)
            .annotate(young_seen_at=F("seen__young_at"))
        ):
            left.state = State.ABANDONED
            left.ended_at = left.young_seen_at
            left.save(update_fields=["state", "ended_at", "updated_at"])
            abandoned += 1
        for conversation in Conversation.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            state=State.ACTIVE, kind=Conversation.Kind.CHAT, seen__counselor_at__lt=counselor_gone
        ):
            released = {"type": "released", "conversation": str(conversation.id)}
            send_event(counselor_group(conversation.counselor_id or 0), released)
            conversation.state = State.WAITING
            conversation.counselor = None
            conversation.save(update_fields=["state", "counselor", "updated_at"])
            _deliver(conversation_group(conversation.id), state_frame(conversation))
            returned += 1
        if abandoned or returned:
            announce_queue()
        history.close_absent(counselor_gone)
        # A block's hash of the connection goes when the block ends.
        Block.objects.filter(until__lte=now).exclude(source_hash="").update(source_hash="")
    return abandoned, returned


# --- retention ---------------------------------------------------------------------------------
def past_retention(now: datetime) -> Q:
    """Conversations whose retention has run out by `now`: ended longer ago than the retention of
    the organisation responsible for them (the young person's municipality, else the organisation
    that answered), or SAMRAAD_RETENTION_DAYS where that organisation sets none or there is none."""
    own_days: dict[int, list[uuid.UUID]] = {}
    for organisation in Organisation.objects.filter(retention_days__isnull=False).only("id", "retention_days"):
        if organisation.retention_days is not None:
            own_days.setdefault(organisation.retention_days, []).append(organisation.id)

    def responsible_in(organisations: list[uuid.UUID]) -> Q:
        # Only the foreign key columns, no join: the purge locks these rows with FOR UPDATE.
        return Q(municipality_id__in=organisations) | Q(municipality_id__isnull=True, answered_by_id__in=organisations)

    with_own = [organisation for organisations in own_days.values() for organisation in organisations]
    past = ~responsible_in(with_own) & Q(ended_at__lt=now - timedelta(days=settings.SAMRAAD_RETENTION_DAYS))
    for days, organisations in own_days.items():
        past |= responsible_in(organisations) & Q(ended_at__lt=now - timedelta(days=days))
    return past


PURGE_CHUNK = 500


def _delete_words(ids: list[uuid.UUID], now: datetime) -> tuple[int, int]:
    """Deletes the words of the conversations `ids` (locked by the caller): messages, notes,
    offers, the nickname, the rating's comment and the secrets that could open them. The rows
    keep their times, places and levels for the reports. Returns (messages, notes) deleted."""
    messages = Message.objects.filter(conversation_id__in=ids).delete()[1].get(Message._meta.label, 0)
    notes = Note.objects.filter(conversation_id__in=ids).delete()[1].get(Note._meta.label, 0)
    Offer.objects.filter(conversation_id__in=ids).delete()
    conversations = list(Conversation.objects.filter(pk__in=ids))
    for conversation in conversations:
        # Unusable values: the old token and resume code now find nothing, as if never issued.
        conversation.token_hash = f"purged:{uuid.uuid4().hex}"
        conversation.resume_code_hash = f"purged:{uuid.uuid4().hex}"
        conversation.nickname = ""
        conversation.rating_comment = ""
        conversation.purged_at = now
        conversation.updated_at = now
    Conversation.objects.bulk_update(
        conversations,
        ["token_hash", "resume_code_hash", "nickname", "rating_comment", "purged_at", "updated_at"],
    )
    return messages, notes


def do_purge_transcripts(now: datetime | None = None) -> int:
    """Deletes the words of conversations past their retention (see `past_retention`) and not on
    legal hold: messages (letters among them), notes and the secrets that could open them. The
    conversation row, with its times, places and levels, stays for the reports. One run is one
    transaction and, if it deleted anything, one audit entry with the counts. Returns how many
    conversations were purged."""
    now = now or timezone.now()
    messages = notes = 0
    with transaction.atomic():
        # The lock re-checks the hold, so a hold placed while the purge waits for a row counts.
        ids = list(
            Conversation.objects.select_for_update()
            .filter(
                past_retention(now),
                state__in=[State.ENDED, State.ABANDONED],
                purged_at__isnull=True,
                legal_hold=False,
            )
            .values_list("id", flat=True)
        )
        for start in range(0, len(ids), PURGE_CHUNK):
            chunk_messages, chunk_notes = _delete_words(ids[start : start + PURGE_CHUNK], now)
            messages += chunk_messages
            notes += chunk_notes
        if ids:
            do_record_system_change(
                AuditEntry.Action.DELETE,
                subject_type=Conversation._meta.label_lower,
                subject_label=f"{len(ids)} conversations, {messages} messages, {notes} notes",
                reason="retention: the words of conversations past their retention period were deleted",
            )
    return len(ids)


def _locked_for_hold(conversation_id: uuid.UUID | str, user: User) -> Conversation:
    """Locks a conversation `user` may place a legal hold on; one answer for "missing" and "not
    theirs", so the answer does not say which conversations exist."""
    conversation = _locked(conversation_id)
    if not can(user, Perm.PLACE_LEGAL_HOLD, conversation):
        raise Refused(NOT_FOUND.code, NOT_FOUND.detail)
    if conversation.purged_at is not None:
        raise Refused("purged", "The conversation's words are already deleted; there is nothing to hold.")
    return conversation


@transaction.atomic
def do_place_legal_hold(conversation_id: uuid.UUID | str, *, user: User, reason: str) -> Conversation:
    """Keeps the conversation's words past retention until the hold is lifted, for `reason` (the
    report or complaint it belongs to). Placing it again changes the reason. Audited."""
    reason = reason.strip()
    if not reason:
        raise Refused("reason_required", "Say why the conversation is held.")
    conversation = _locked_for_hold(conversation_id, user)
    conversation.legal_hold = True
    conversation.legal_hold_reason = reason[:300]
    conversation.legal_hold_by = user
    conversation.legal_hold_at = timezone.now()
    conversation.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at", "updated_at"])
    do_record_access(
        user,
        AuditEntry.Action.CHANGE,
        conversation,
        reason=f"legal hold placed: {reason}",
        organisation=conversation.responsible_organisation,
    )
    return conversation


@transaction.atomic
def do_lift_legal_hold(conversation_id: uuid.UUID | str, *, user: User) -> Conversation:
    """Lifts the hold: the next purge deletes the words if their retention has run out. Audited,
    with the reason the hold had."""
    conversation = _locked_for_hold(conversation_id, user)
    if not conversation.legal_hold:
        return conversation
    reason = conversation.legal_hold_reason
    conversation.legal_hold = False
    conversation.legal_hold_reason = ""
    conversation.legal_hold_by = None
    conversation.legal_hold_at = None
    conversation.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at", "updated_at"])
    do_record_access(
        user,
        AuditEntry.Action.CHANGE,
        conversation,
        reason=f"legal hold lifted; it was held for: {reason}",
        organisation=conversation.responsible_organisation,
    )
    return conversation


# --- a counselor's own prepared answers --------------------------------------------------------
def do_add_prepared_answer(user: User, *, title: str, body: str) -> PreparedAnswer:
    check_console_user(user)
    return PreparedAnswer.objects.create(owner=user, title=title.strip()[:80], body=body.strip())


def do_delete_prepared_answer(user: User, answer_id: int) -> None:
    """Deletes one of `user`'s own answers; another's (or none) is refused alike."""
    deleted, _ = PreparedAnswer.objects.filter(pk=answer_id, owner=user).delete()
    if not deleted:
        raise Refused("not_found", "No such prepared answer.")
