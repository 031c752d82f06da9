"""Anonymous conversations between a young person and counselors, and what belongs to them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samraad.lib.fields import EncryptedTextField

if TYPE_CHECKING:
    from samraad.accounts.models import Organisation


class Topic(models.TextChoices):
    FAMILY = "family", _("Family")
    FRIENDS = "friends", _("Friends and loneliness")
    LOVE = "love", _("Love and sex")
    SCHOOL = "school", _("School and work")
    BODY = "body", _("Body and health")
    FEELINGS = "feelings", _("Thoughts and feelings")
    SELF_HARM = "self_harm", _("Self-harm")
    ABUSE = "abuse", _("Violence and abuse")
    ONLINE = "online", _("Online life")
    ALCOHOL_DRUGS = "alcohol_drugs", _("Alcohol and drugs")
    OTHER = "other", _("Something else")


class Level(models.IntegerChoices):
    """Risk triage level; higher is more urgent and comes first in the queue."""

    NORMAL = 0, _("Normal")
    ELEVATED = 1, _("Elevated")
    CRITICAL = 2, _("Critical")


class Conversation(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        LETTER = "letter", _("Letter")

    class State(models.TextChoices):
        # A chat opened over HTTP whose socket has not said hello yet: not in the queue, and
        # deleted if it never does (`actions.do_sweep`).
        OPENED = "opened", _("Opened, not yet connected")
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Left while waiting")

    class Side(models.TextChoices):
        YOUNG = "young", _("Young person")
        COUNSELOR = "counselor", _("Counselor")
        SYSTEM = "system", _("System")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHAT)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    # What the young person chose to tell: all optional, none of it identifying.
    municipality = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    nickname = models.CharField(max_length=40, blank=True)
    # The highest risk any of the young person's messages has shown; never lowered.
    triage_level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NORMAL)
    # Triage reads the young person's messages after this one together for the conversation's
    # level; a counselor's correction moves it to the last message, so what was corrected is not
    # read again.
    triage_from_seq = models.PositiveIntegerField(default=0)
    # Secrets are kept only as hashes (see tokens.py).
    token_hash = models.CharField(max_length=64, unique=True)
    resume_code_hash = models.CharField(max_length=64, unique=True)
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="conversations"
    )
    # The organisation of the counselor who first answered: reports credit it, and it stays
    # when the counselor moves on or the conversation is transferred.
    answered_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_seq = models.PositiveIntegerField(default=0)
    young_read_seq = models.PositiveIntegerField(default=0)
    counselor_read_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)
    # When retention deleted the words; the conversation's numbers stay for the reports.
    purged_at = models.DateTimeField(null=True, blank=True)
    # A legal hold keeps the words past retention while a report to the police or the
    # authorities, or a complaint, needs them (docs/security.md). Placed and lifted only through
    # `actions.do_place_legal_hold` / `do_lift_legal_hold`, which write the audit log.
    legal_hold = models.BooleanField(_("on legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the hold"), max_length=300, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hold placed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_hold_at = models.DateTimeField(_("hold placed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "kind", "-triage_level", "queued_at"], name="queue_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.id)[:8]} ({self.state})"

    @property
    def responsible_organisation(self) -> Organisation | None:
        """The organisation whose retention and audit log the conversation falls under: the
        municipality the young person chose, else the organisation that answered, else none
        (`actions.past_retention` makes the same choice in SQL)."""
        return self.municipality or self.answered_by


class Seen(models.Model):
    """When each side's socket last beat; a side unseen for a grace period has left (`do_sweep`).

    Kept apart from the conversation's row, which every message locks: a worker's heartbeat
    updates the rows of all its sockets in one transaction, and in the conversation's row that
    held up every message to those conversations until it committed (docs/performance.md)."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, primary_key=True, related_name="seen")
    young_at = models.DateTimeField(null=True, blank=True)
    counselor_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"seen {self.conversation_id}"


class Message(models.Model):
    # No index of its own: `one_message_per_seq` begins with the conversation and serves every
    # lookup by it, and a second index would be one more page written for every message.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False)
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Conversation.Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = EncryptedTextField()
    # Chosen by the sending client; a resend with the same id stores nothing twice.
    client_id = models.CharField(max_length=64, blank=True)
    # What triage saw in a young person's message, and why: shown to the counselor.
    triage_level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NORMAL)
    triage_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~models.Q(client_id=""),
                name="one_message_per_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class Offer(models.Model):
    """A waiting conversation offered to one counselor of an auto-assigning organisation."""

    class Answer(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="offers")
    counselor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers")
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=models.Q(answer="pending"), name="one_pending_offer_per_conversation"
            )
        ]

    def __str__(self) -> str:
        return f"offer of {self.conversation_id} to {self.counselor_id} ({self.answer})"


class Note(models.Model):
    """A counselor's internal note on a conversation; the young person never sees it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "created_at"]

    def __str__(self) -> str:
        return f"note on {self.conversation_id}"


class PreparedAnswer(models.Model):
    """A reusable answer, shared in an organisation or personal to one counselor."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(owner__isnull=False),
                name="prepared_answer_has_an_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Block(models.Model):
    """A sender kept out for a while, by conversation and by a salted hash of the connection."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # HMAC of the connection's source with a salt that changes daily; never the address itself.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    until = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"block until {self.until:%Y-%m-%d %H:%M}"


class RiskCategory(models.TextChoices):
    """What kind of risk a triage level is about: `triage.CATEGORIES`, in its order (a test keeps
    them the same)."""

    SUICIDE = "suicide", _("Suicide")
    OVERDOSE = "overdose", _("Overdose")
    SELF_HARM = "self_harm", _("Self-harm")
    MEDICAL = "medical", _("Medical emergency")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    VIOLENCE = "violence", _("Violence")
    GROOMING = "grooming", _("Grooming or sextortion")
    HOMELESS = "homeless", _("Nowhere to sleep")
    IMAGE_ABUSE = "image_abuse", _("Pictures shared without consent")
    EATING_DISORDER = "eating_disorder", _("Eating disorder")
    BULLYING = "bullying", _("Bullying")
    SUBSTANCE = "substance", _("Alcohol or drugs")
    HOPELESSNESS = "hopelessness", _("Hopelessness")
    FRIEND_AT_RISK = "friend_at_risk", _("A friend or relative at risk")


class TriageCorrection(models.Model):
    """A counselor or supervisor set a conversation's level by hand: raised (triage missed a risk)
    or lowered (a false alarm). The measure of triage in real use, kept for the reports without
    any of the conversation's words: the reason given is a note of the conversation, deleted with
    it."""

    class Direction(models.TextChoices):
        UP = "up", _("Raised (triage missed it)")
        DOWN = "down", _("Lowered (false alarm)")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="triage_corrections")
    # The young person's municipality, copied so the reports count corrections as they count
    # conversations.
    municipality = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    from_level = models.PositiveSmallIntegerField(choices=Level.choices)
    to_level = models.PositiveSmallIntegerField(choices=Level.choices)
    category = models.CharField(max_length=20, choices=RiskCategory.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_from_level_display()} → {self.get_to_level_display()}"
