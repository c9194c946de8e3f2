"""Emails in an invoice's outreach thread: dunning reminders sent and customer replies received.

An :class:`Email` has its :class:`Attachment` files (invoice PDFs, remittance advice), its
:class:`User` author, the :class:`EmailSender` mailbox it went out through, and the
:class:`RemoteLink` ids it has in that mailbox's provider.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.types import JSON, Sourced
from stuut_domain.user import User
from stuut_domain.validators import aware

__all__ = ["Attachment", "Email", "EmailSender", "RemoteLink"]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Attachment(Sourced):
    """A file attached to an email, e.g. an invoice PDF or a customer's remittance advice.

    ``size`` is in bytes; ``src`` is free-form JSON; ``presigned_url`` is a temporary download
    link valid until ``presigned_url_expires_at``.
    """

    file_type: str
    mime_type: str
    name: str
    object: str
    organization_id: str
    id: str | None = None
    content_id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    disposition: str | None = None
    is_verified: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    presigned_url: str | None = None
    presigned_url_expires_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    purpose: str | None = None
    remote_id: str | None = None
    size: int | None = None
    src: JSON = None
    user_id: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class EmailSender(Sourced):
    """A mailbox outreach is sent from (a user's own or one ``is_shared`` with the whole org).

    ``expired_at`` is when the mailbox grant expired; after that it cannot send.
    """

    email: str
    object: str
    reply_to: str
    user_id: str
    id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    expired_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    is_nylas_connection: bool | None = None
    is_nylas_grant_expired: bool | None = None
    is_shared: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    provider: str | None = None
    reply_to_name: str | None = None
    signature_html: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class RemoteLink(Sourced):
    """The id an email and its thread have in the sending mailbox's provider."""

    email_id: str
    email_sender_id: str
    object: str
    remote_id: str
    remote_thread_id: str
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Email(Sourced):
    """One email of an invoice's outreach thread, outbound reminder or inbound customer reply.

    Recipient lists (``to``, ``cc``, ``bcc``, ``reply_to``, ``participants``,
    ``bounced_addresses``) are tuples of address strings. ``direction`` and ``status`` stay
    free strings; ``generated_body`` keeps the AI draft so user edits can be compared with it.
    """

    object: str
    thread_id: str
    id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    author: User | None = None
    author_id: str | None = None
    bcc: tuple[str, ...] = ()
    body: str | None = None
    bounced_addresses: tuple[str, ...] = ()
    bulk_email_request_id: str | None = None
    cc: tuple[str, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    custom_headers: JSON = None
    direction: str | None = None
    email_reason: str | None = None
    email_sender: EmailSender | None = None
    email_sender_id: str | None = None
    error_message: str | None = None
    from_email: str | None = None
    generated_body: str | None = None
    is_automated: bool | None = None
    is_generated: bool | None = None
    is_originated_in_stuut: bool | None = None
    is_unread: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    parent_email_id: str | None = None
    participants: tuple[str, ...] = ()
    remote_id: str | None = None
    remote_links: tuple[RemoteLink, ...] = ()
    reply_to: tuple[str, ...] = ()
    send_separately: bool | None = None
    sent_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    sent_by_id: str | None = None
    snippet: str | None = None
    status: str | None = None
    subject: str | None = None
    to: tuple[str, ...] = ()
