"""The customer's ERP/accounting connection that invoices, partners and payments sync through.

A :class:`LinkedIntegration` is one organization's connection to a system such as an
accounting package (:class:`Integration` describes the system itself). Each synced record type
is a :class:`LinkedModel` whose most recent :class:`Sync` and its :class:`SyncRun` tell whether
the AR data in Stuut is current. :class:`Health` reports whether a connection or model works.
"""

from __future__ import annotations

import datetime as dt

import attrs

from stuut_domain.display import compact
from stuut_domain.types import JSON, Sourced
from stuut_domain.validators import aware

__all__ = [
    "ConnectionStep",
    "Health",
    "Integration",
    "IntegrationSetting",
    "LinkedIntegration",
    "LinkedModel",
    "Sync",
    "SyncRun",
]


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Health(Sourced):
    """Whether a connection or synced model works; when it does not, AR data may be stale.

    ``status`` is shown only by the example ``"incomplete"``, so any string is kept.
    """

    status: str
    details: JSON = None
    message: str | None = None
    reason: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class ConnectionStep(Sourced):
    """One step of connecting the ERP (e.g. a ``fetch``), shown to the admin during setup."""

    type: str
    title: str
    description: str | None = None
    endpoint: str | None = None
    fields: JSON = None
    post_auth: bool | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class IntegrationSetting(Sourced):
    """A configurable option of an integration (its ``key``, input ``type`` and ``format``)."""

    key: str
    type: str
    choices: JSON = None
    description: str | None = None
    format: str | None = None
    group: str | None = None
    guide_url: str | None = None
    is_editable: bool | None = None
    is_required: bool | None = None
    is_select: bool | None = None
    label: str | None = None
    post_auth: bool | None = None
    requires_load: bool | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Integration(Sourced):
    """A system Stuut can sync AR data with (ERP, accounting), with its setup guide.

    ``display_name``, ``name`` and ``object`` are required; ``categories`` such as
    ``"accounting"`` are free strings.
    """

    display_name: str
    name: str
    object: str
    api_base_url: str | None = None
    api_documentation_url: str | None = None
    api_requires_subdomain: bool | None = None
    auth_type: str | None = None
    categories: tuple[str, ...] = ()
    color: str | None = None
    connection_guide_url: str | None = None
    connection_instructions: str | None = None
    connection_steps: tuple[ConnectionStep, ...] = ()
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    description: str | None = None
    is_enabled: bool | None = None
    logo: str | None = None
    logo_square: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    settings: tuple[IntegrationSetting, ...] = ()
    short_description: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class SyncRun(Sourced):
    """The job that executed one sync: when it started and completed, its status and output.

    ``status`` is shown only by the example ``"scheduled"``; ``data`` and ``output`` are JSON.
    """

    object: str
    id: str | None = None
    completed_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    data: JSON = None
    event_id: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    output: JSON = None
    remote_id: str | None = None
    stacktrace: str | None = None
    started_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    status: str | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class Sync(Sourced):
    """One sync of a model with the ERP over ``timerange_start``..``timerange_end``."""

    linked_model_id: str
    object: str
    run_id: str
    id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    entity_id: str | None = None
    is_initial_sync: bool | None = None
    is_one_off: bool | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    pagination: JSON = None
    run: SyncRun | None = None
    timerange_end: dt.datetime | None = attrs.field(default=None, validator=aware)
    timerange_start: dt.datetime | None = attrs.field(default=None, validator=aware)


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class LinkedModel(Sourced):
    """One record type (invoices, customers, payments…) synced over a linked integration.

    Read/write flags say which direction AR data flows; ``last_sync`` is the latest sync.
    """

    integration_schema_id: str
    linked_integration_id: str
    name: str
    object: str
    id: str | None = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    exclude_rule: JSON = None
    field_mappings: JSON = None
    health: Health | None = None
    is_read_enabled: bool | None = None
    is_webhooks_setup: bool | None = None
    is_write_enabled: bool | None = None
    last_sync: Sync | None = None
    last_sync_id: str | None = None
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    next_sync_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    sync_requested: bool | None = None


@compact
@attrs.frozen(kw_only=True, weakref_slot=False)
class LinkedIntegration(Sourced):
    """An organization's live connection to its ERP, source of the invoices and customers.

    ``settings`` is the connection's free-form configuration (JSON; the API shows ``{}``),
    not the list of :class:`IntegrationSetting` that ``integration.settings`` describes.
    """

    integration_name: str
    is_configured: bool
    object: str
    settings: JSON
    id: str | None = None
    api_subdomain: str | None = None
    api_url: str | None = None
    connection_info: JSON = None
    created_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    credentials_expire_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    health: Health | None = None
    identity_info: JSON = None
    integration: Integration | None = None
    is_running_setup: bool | None = None
    is_sync_disabled: bool | None = None
    is_webhooks_enabled: bool | None = None
    models: tuple[LinkedModel, ...] = ()
    modified_at: dt.datetime | None = attrs.field(default=None, validator=aware)
    name: str | None = None
    owner_id: str | None = None
    requires_setup: bool | None = None
    username: str | None = None
    webhook_listener_url: str | None = None
    webhook_setup_error: str | None = None
