"""The young person's HTTP endpoints: open a chat or a letter, come back with a resume code, or
delete the conversation with it.

They carry no ambient credentials (no cookie is read), so they need no CSRF token. Secrets travel
only in request and response bodies. The front door (docs/security.md, `front_door`): writes take JSON
only, a request from a web page must come from this site or a registered widget site, and every
refusal for a limit says when to try again (`Retry-After`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, StringConstraints

from samraad.accounts.embedding import widget_origins
from samraad.counseling import actions
from samraad.counseling.errors import Refused
from samraad.counseling.frames import check_body
from samraad.counseling.sources import source_hash
from samraad.lib.origins import comes_from_allowed_site
from samraad.lib.ratelimit import wait_s

router = Router(tags=["chat"])

Code = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
# Patterns rather than validators, so the published schema says what is refused. PostgreSQL text
# columns cannot hold NUL; a nickname shown on a counselor's screen holds no control characters.
Short = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")]
LetterBody = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=r"^[^\x00]*$")]


# Request bodies are plain pydantic models: Ninja's `Schema` also reads attributes off any object,
# so `null`, `5` or `[]` would pass as an empty body and open a conversation.
class OpenIn(BaseModel):
    municipality: Code | None = None
    topic: Annotated[str, StringConstraints(max_length=20)] | None = None
    nickname: Short | None = None


class LetterIn(OpenIn):
    body: LetterBody


class OpenedOut(Schema):
    conversation: uuid.UUID
    token: str
    resume_code: str


class ResumeIn(BaseModel):
    resume_code: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ResumedOut(Schema):
    conversation: uuid.UUID
    token: str


class StatusOut(Schema):
    open: bool
    waiting: int


class ErrorOut(Schema):
    code: str
    detail: str


class FieldError(Schema):
    type: str
    loc: list[str | int]
    msg: str


class InvalidOut(Schema):
    """The framework's answer to a body that does not fit the schema: one entry per field."""

    detail: list[FieldError]


# A 422 is either a refusal of ours (`code`) or the framework's list of fields that do not fit.
Unprocessable = ErrorOut | InvalidOut


def _source(request: HttpRequest) -> str:
    return source_hash(request.META.get("REMOTE_ADDR"))


def _refused(refusal: Refused) -> ErrorOut:
    return ErrorOut(code=refusal.code, detail=refusal.detail)


class NotJson(Exception):
    """A write whose body is not sent as JSON."""


class CrossSite(Exception):
    """A write from a web page of another site than this one or a registered widget site."""


def front_door(request: HttpRequest) -> bool:
    """Lets a write in only as JSON from an allowed site; otherwise raises NotJson or CrossSite,
    which the API answers with 415 and 403 (samraad/api/api.py). It runs as the routes' `auth`,
    after the method is matched and before the body is read: a form, multipart or text/plain
    body is what any web page may send to another site without asking the browser first (no
    CORS preflight), and an empty one would pass as "{}". No credential is read."""
    if request.content_type != "application/json":
        raise NotJson
    own = f"{request.scheme}://{request.get_host()}"
    allowed = [own, *settings.CSRF_TRUSTED_ORIGINS, *widget_origins()]
    if not comes_from_allowed_site(request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"), allowed):
        raise CrossSite
    return True


def _limited(response: HttpResponse, key: str, *, limit: int, window_s: int, detail: str) -> Status[Any] | None:
    """Counts one attempt; over the limit, the 429 to answer, with `Retry-After`."""
    wait = wait_s(key, limit=limit, window_s=window_s)
    if not wait:
        return None
    response["Retry-After"] = str(wait)
    return Status(429, ErrorOut(code="rate_limited", detail=detail))


def _open(request: HttpRequest, response: HttpResponse, payload: OpenIn, letter: str | None) -> Status[Schema]:
    source = _source(request)
    limited = _limited(
        response,
        f"open:{source}",
        limit=settings.SAMRAAD_CHAT_OPENED_PER_HOUR,
        window_s=3600,
        detail="Too many new conversations; try again later.",
    )
    if limited is not None:
        return limited
    if actions.is_source_blocked(source):
        return Status(403, ErrorOut(code="blocked", detail="This connection is closed for now."))
    try:
        opened = actions.do_open_conversation(
            municipality_code=payload.municipality, topic=payload.topic, nickname=payload.nickname, letter=letter
        )
    except Refused as refusal:
        return Status(422, _refused(refusal))
    return Status(
        201, OpenedOut(conversation=opened.conversation.id, token=opened.token, resume_code=opened.resume_code)
    )


@router.post(
    "/conversations", response={201: OpenedOut, 403: ErrorOut, 422: Unprocessable, 429: ErrorOut}, auth=front_door
)
def open_conversation(request: HttpRequest, response: HttpResponse, payload: OpenIn) -> Status[Schema]:
    """Opens an anonymous chat. The token goes in the socket's first frame; the resume code is
    for the person to note down. It joins the queue when its socket says hello."""
    return _open(request, response, payload, letter=None)


@router.post("/letters", response={201: OpenedOut, 403: ErrorOut, 422: Unprocessable, 429: ErrorOut}, auth=front_door)
def open_letter(request: HttpRequest, response: HttpResponse, payload: LetterIn) -> Status[Schema]:
    """Leaves a letter for the letter box, answered later and read with the resume code."""
    try:
        check_body(payload.body)
    except Refused as refusal:
        return Status(422, _refused(refusal))
    return _open(request, response, payload, letter=payload.body)


# One answer whether a code never existed or its conversation was deleted.
NO_SUCH_CODE = ErrorOut(code="not_found", detail="No conversation has that code.")


def _code_refusal(request: HttpRequest, response: HttpResponse) -> Status[Any] | None:
    """Resuming and deleting share one budget of attempts per source, so taking turns between
    them guesses codes no faster."""
    return _limited(
        response,
        f"resume:{_source(request)}",
        limit=settings.SAMRAAD_RESUME_ATTEMPTS_PER_HOUR,
        window_s=3600,
        detail="Too many attempts; try again later.",
    )


@router.post(
    "/resume", response={200: ResumedOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut, 429: ErrorOut}, auth=front_door
)
def resume(request: HttpRequest, response: HttpResponse, payload: ResumeIn) -> Status[Schema]:
    """Returns the conversation for a resume code with a fresh token; the old token stops working."""
    limited = _code_refusal(request, response)
    if limited is not None:
        return limited
    found = actions.do_resume(payload.resume_code)
    if found is None:
        return Status(404, NO_SUCH_CODE)
    conversation, token = found
    return Status(200, ResumedOut(conversation=conversation.id, token=token))


@router.post(
    "/delete",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut, 429: ErrorOut},
    auth=front_door,
)
def delete(request: HttpRequest, response: HttpResponse, payload: ResumeIn) -> Status[Schema | None]:
    """Deletes the conversation's words at once (see `actions.do_delete_conversation`); answers
    204 with no body."""
    limited = _code_refusal(request, response)
    if limited is not None:
        return limited
    try:
        deleted = actions.do_delete_conversation(payload.resume_code)
    except Refused as refusal:
        return Status(409, _refused(refusal))
    if not deleted:
        return Status(404, NO_SUCH_CODE)
    return Status(204, None)


@router.get("/status", response=StatusOut, auth=None)
def status(request: HttpRequest) -> StatusOut:
    """Whether a counselor can answer a chat now; if not, the page offers a letter."""
    return StatusOut(open=actions.is_open(), waiting=len(actions.waiting_chats()))
