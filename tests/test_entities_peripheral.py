"""The peripheral objects of an invoice response: users, addresses, integrations, tasks,
calls, emails and outreach workflows, built from the API docs' own example."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
import zoneinfo
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.samples import api_invoice_example
from adapters.stuut_json.schema import wire_fields
from stuut_domain.address import Address, ContactAddress
from stuut_domain.call import Call, Classification
from stuut_domain.email import Attachment, Email, EmailSender, RemoteLink
from stuut_domain.errors import UnknownTimeZone
from stuut_domain.integration import (
    ConnectionStep,
    Health,
    Integration,
    IntegrationSetting,
    LinkedIntegration,
    LinkedModel,
    Sync,
    SyncRun,
)
from stuut_domain.partner import Partner
from stuut_domain.task import Task, TaskData, TriggerEvent
from stuut_domain.user import DashboardSettings, User
from stuut_domain.workflow import Workflow

#: The JSON example of GET /v1/invoices/{invoice_id} from the API docs, verbatim.
SEED: dict[str, Any] = json.loads(api_invoice_example().decode())

#: The example's workflow with its docs placeholders (day 123, "<string>" times) made real.
WORKFLOW_JSON: dict[str, Any] = {
    **SEED["calls"][0]["workflow"],
    "active_days": [0, 1, 2, 3, 4],
    "outreach_window_start": "09:00",
    "outreach_window_end": "17:30:00",
}


def _seed(path: str) -> dict[str, Any]:
    """The sub-object of the seed at a dotted path (``calls.0.workflow``)."""
    node: Any = SEED
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    if path == "calls.0.workflow":
        return WORKFLOW_JSON
    if path == "calls.0":
        return {**node, "workflow": WORKFLOW_JSON}
    assert isinstance(node, dict)
    return node


def _convert(tp: Any, value: Any) -> Any:
    """Wire value -> domain value for a field type (what a codec would do, minimally)."""
    if value is None:
        return None
    if isinstance(tp, types.UnionType):
        (tp,) = [arg for arg in typing.get_args(tp) if arg is not type(None)]
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if attrs.has(tp):
        return build(tp, value)
    if typing.get_origin(tp) is tuple:
        return tuple(_convert(typing.get_args(tp)[0], item) for item in value)
    return value


def build(cls: type[Any], data: dict[str, Any]) -> Any:
    """An entity from its JSON object: each key is the keyword argument of the same name."""
    hints = typing.get_type_hints(cls)
    return cls(**{key: _convert(hints[key], value) for key, value in data.items()})


#: Each class with the seed sub-object it models.
CASES: list[tuple[type[Any], str]] = [
    (DashboardSettings, "assignee.dashboard_settings"),
    (User, "assignee"),
    (User, "calls.0.approver"),
    (User, "emails.0.author"),
    (Address, "billing_address"),
    (Address, "shipping_address"),
    (Address, "partner.contacts.0.address"),
    (ContactAddress, "partner.contacts.0.addresses.0"),
    (Health, "linked_integration.health"),
    (ConnectionStep, "linked_integration.integration.connection_steps.0"),
    (IntegrationSetting, "linked_integration.integration.settings.0"),
    (Integration, "linked_integration.integration"),
    (SyncRun, "linked_integration.models.0.last_sync.run"),
    (Sync, "linked_integration.models.0.last_sync"),
    (LinkedModel, "linked_integration.models.0"),
    (LinkedIntegration, "linked_integration"),
    (TriggerEvent, "calls.0.classifications.0.tasks.0.trigger_event"),
    (TaskData, "calls.0.classifications.0.tasks.0.data.0"),
    (Task, "calls.0.classifications.0.tasks.0"),
    (Classification, "calls.0.classifications.0"),
    (Workflow, "calls.0.workflow"),
    (Call, "calls.0"),
    (Attachment, "emails.0.attachments.0"),
    (EmailSender, "emails.0.email_sender"),
    (RemoteLink, "emails.0.remote_links.0"),
    (Email, "emails.0"),
]
IDS = [f"{cls.__name__}@{path}" for cls, path in CASES]


#: Objects without an ``id``: the required block is the leading run of keys in alphabetical
#: order, before the optional keys start again from "a" (how the docs order every object).
REQUIRED_WITHOUT_ID: dict[type[Any], list[str]] = {
    DashboardSettings: [],
    Address: ["object"],
    Health: ["status"],
    ConnectionStep: ["type", "title"],
    IntegrationSetting: ["key", "type"],
    Integration: ["display_name", "name", "object"],
    Classification: [
        "agent_reply_reason",
        "classification",
        "is_action_required",
        "is_reply_required",
        "object",
        "reason",
    ],
    RemoteLink: ["email_id", "email_sender_id", "object", "remote_id", "remote_thread_id"],
}


def _datetime_fields(cls: type[Any]) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [f.name for f in wire_fields(cls) if dt.datetime in typing.get_args(hints[f.name])]


class TestWireShape:
    @pytest.mark.parametrize(("cls", "path"), CASES, ids=IDS)
    def test_fields_are_the_example_keys_in_order(self, cls: type[Any], path: str) -> None:
        """Field names are exactly the wire keys of the example, in the example's order."""
        assert list(_seed(path)) == [f.name for f in wire_fields(cls)]

    @pytest.mark.parametrize(("cls", "path"), CASES, ids=IDS)
    def test_only_keys_before_id_are_required(self, cls: type[Any], path: str) -> None:
        """Keys before ``id`` are required; every later key has a default."""
        keys = list(_seed(path))
        expected = keys[: keys.index("id")] if "id" in keys else REQUIRED_WITHOUT_ID[cls]
        assert expected == [f.name for f in wire_fields(cls) if f.default is attrs.NOTHING]

    @pytest.mark.parametrize(("cls", "path"), CASES, ids=IDS)
    def test_the_example_builds(self, cls: type[Any], path: str) -> None:
        """Every sub-object of the docs example becomes an entity without loss."""
        entity = build(cls, _seed(path))
        assert isinstance(entity, cls)

    @pytest.mark.parametrize(("cls", "path"), CASES, ids=IDS)
    def test_naive_datetimes_are_refused_naming_the_field(self, cls: type[Any], path: str) -> None:
        """A date-time without an offset is ambiguous, so every date-time field refuses it."""
        data = _seed(path)
        hints = typing.get_type_hints(cls)
        kwargs = {key: _convert(hints[key], value) for key, value in data.items()}
        for name in _datetime_fields(cls):
            naive = {**kwargs, name: dt.datetime(2024, 3, 1, 9, 30)}
            with pytest.raises(ValueError, match=f"^{name} must be timezone-aware"):
                cls(**naive)


class TestSeedValues:
    def test_user_has_its_dashboard_settings(self) -> None:
        """An assignee carries its dashboard settings and an aware creation instant."""
        user = build(User, _seed("assignee"))
        assert DashboardSettings(thread_emails_sort_order="asc") == user.dashboard_settings
        assert dt.datetime(2023, 11, 7, 5, 31, 56, tzinfo=dt.UTC) == user.created_at
        assert user.is_org_admin is True

    def test_address_coordinates_stay_raw_json(self) -> None:
        """An address keeps ``coordinates`` as the decoded JSON object."""
        address = build(Address, _seed("billing_address"))
        assert {} == address.coordinates
        assert "<string>" == address.postal_code

    def test_contact_address_marks_the_primary_one(self) -> None:
        """A contact's address list entry has ``is_primary`` and an id."""
        address = build(ContactAddress, _seed("partner.contacts.0.addresses.0"))
        assert address.is_primary is True
        assert "<string>" == address.id

    def test_linked_integration_nests_models_syncs_and_runs(self) -> None:
        """A linked integration holds its integration, health and per-model sync history."""
        linked = build(LinkedIntegration, _seed("linked_integration"))
        assert {} == linked.settings
        assert Health(status="incomplete") == linked.health
        assert ("accounting",) == linked.integration.categories
        assert "fetch" == linked.integration.connection_steps[0].type
        assert "text" == linked.integration.settings[0].format
        run = linked.models[0].last_sync.run
        assert "scheduled" == run.status
        assert dt.UTC == run.started_at.tzinfo

    def test_task_has_its_evidence_and_trigger(self) -> None:
        """A task carries its assignee, data items and the event that raised it."""
        task = build(Task, _seed("calls.0.classifications.0.tasks.0"))
        assert "activity_summary_outreach" == task.type
        assert "open" == task.status
        assert ("email", "response") == (task.data[0].source, task.data[0].type)
        assert "<unknown>" == task.trigger_event.entity
        assert "<string>" == task.assignee.email

    def test_call_keeps_raw_json_and_nests_partner_and_workflow(self) -> None:
        """A call keeps invoices/recording/transcript raw and nests its partner and workflow."""
        call = build(Call, _seed("calls.0"))
        assert ("inbound", "pending_approval", "positive") == (
            call.direction,
            call.status,
            call.sentiment,
        )
        assert "<array>" == call.invoices
        assert "<unknown>" == call.transcript
        assert isinstance(call.partner, Partner)
        assert (0, 1, 2, 3, 4) == call.workflow.active_days
        classification = call.classifications[0]
        assert "payment_inquiry" == classification.classification
        assert 123 == classification.agent_confidence_score
        assert ("<string>",) == classification.agent_uncertainties

    def test_email_recipient_lists_are_tuples_of_addresses(self) -> None:
        """An email's to/cc/bcc/reply_to/participants/bounced lists are tuples of strings."""
        email = build(Email, _seed("emails.0"))
        assert ("<string>",) == email.to == email.cc == email.bcc == email.reply_to
        assert ("<string>",) == email.bounced_addresses
        assert 1 == len(email.participants)
        assert "<unknown>" == email.custom_headers
        assert ("audio", 123) == (email.attachments[0].file_type, email.attachments[0].size)
        assert "<string>" == email.email_sender.reply_to
        assert "<string>" == email.remote_links[0].remote_thread_id
        assert "<string>" == email.author.organization_id


def _workflow(**overrides: Any) -> Workflow:
    """A weekday dunning workflow of Acme Tooling GmbH, with ``overrides``."""
    fields: dict[str, Any] = {
        "id": "wf_2024_0042",
        "name": "Acme Tooling GmbH net-30 reminders",
        "object": "workflow",
        "active_days": (0, 1, 2, 3, 4),
        "outreach_window_start": "09:00",
        "outreach_window_end": "17:30:00",
        "timezone": "Europe/Berlin",
        "created_at": dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC),
    }
    return Workflow(**{**fields, **overrides})


class TestWorkflow:
    def test_window_bounds_parse_as_local_times(self) -> None:
        """The wire strings "09:00" and "17:30:00" read as 09:00 and 17:30."""
        workflow = _workflow()
        assert (dt.time(9, 0), dt.time(17, 30)) == (workflow.window_start, workflow.window_end)
        assert "09:00" == workflow.outreach_window_start

    def test_missing_window_bounds_are_none(self) -> None:
        """A workflow without a window has no window bounds."""
        workflow = _workflow(outreach_window_start=None, outreach_window_end=None)
        assert (None, None) == (workflow.window_start, workflow.window_end)

    @pytest.mark.parametrize("field", ["outreach_window_start", "outreach_window_end"])
    def test_a_window_bound_that_is_not_a_time_loads_but_cannot_be_used(self, field: str) -> None:
        """The docs' "<string>" placeholder loads as sent; reading it as a time names the field."""
        workflow = _workflow(**{field: "<string>"})
        assert "<string>" == getattr(workflow, field)
        with pytest.raises(ValueError, match=f"{field} must be an ISO time.*'<string>'"):
            _ = workflow.window_start if field.endswith("start") else workflow.window_end

    def test_weekday_zero_is_monday(self) -> None:
        """Active days are Python weekday numbers: 0 is Monday, 6 is Sunday."""
        workflow = _workflow(active_days=(0,))
        monday = dt.date(2024, 3, 4)
        assert workflow.is_active_on(monday.weekday())
        assert not workflow.is_active_on((monday + dt.timedelta(days=6)).weekday())

    def test_weekdays_only_workflow_is_off_at_the_weekend(self) -> None:
        """A Monday-to-Friday workflow is active on 0..4 and not on 5 (Sat) or 6 (Sun)."""
        workflow = _workflow()
        assert [True] * 5 + [False] * 2 == [workflow.is_active_on(d) for d in range(7)]

    def test_no_active_days_means_every_day(self) -> None:
        """With no active days listed, every day of the week is active."""
        workflow = _workflow(active_days=())
        assert all(workflow.is_active_on(d) for d in range(7))

    def test_docs_placeholder_day_loads_and_is_reported(self) -> None:
        """The docs example's active day 123 loads as sent, matches no day, and is reported."""
        workflow = _workflow(active_days=(1, 123))
        assert (123,) == workflow.invalid_active_days()
        assert [False, True, False, False, False, False, False] == [
            workflow.is_active_on(d) for d in range(7)
        ]

    def test_asking_about_a_day_outside_the_week_is_refused(self) -> None:
        """``is_active_on`` takes 0..6 only."""
        with pytest.raises(ValueError, match="weekday must be 0"):
            _workflow().is_active_on(7)

    @given(st.lists(st.integers(0, 6), unique=True))
    def test_any_set_of_weekdays_is_accepted_and_honoured(self, days: list[int]) -> None:
        """Any selection of weekdays is accepted, and exactly those days are active."""
        workflow = _workflow(active_days=tuple(days))
        expected = set(days) or set(range(7))
        assert expected == {d for d in range(7) if workflow.is_active_on(d)}

    @given(st.integers().filter(lambda d: not 0 <= d <= 6))
    def test_any_day_outside_the_week_is_reported_as_invalid(self, day: int) -> None:
        """Any integer outside 0..6 is kept as sent and listed as an invalid active day."""
        assert (day,) == _workflow(active_days=(1, day)).invalid_active_days()

    def test_zone_is_the_iana_time_zone(self) -> None:
        """``zone`` resolves the timezone name, e.g. the docs' Africa/Abidjan."""
        workflow = _workflow(timezone="Africa/Abidjan")
        assert zoneinfo.ZoneInfo("Africa/Abidjan") == workflow.zone
        assert _workflow(timezone=None).zone is None

    def test_an_unknown_time_zone_is_refused_when_read(self) -> None:
        """An unknown zone decodes as sent but ``zone`` raises UnknownTimeZone naming it."""
        workflow = _workflow(timezone="Mars/Olympus_Mons")
        with pytest.raises(UnknownTimeZone, match="'Mars/Olympus_Mons'"):
            _ = workflow.zone

    def test_naive_created_at_is_refused(self) -> None:
        """A naive ``created_at`` is refused with an error naming the field."""
        with pytest.raises(ValueError, match=r"^created_at must be timezone-aware"):
            _workflow(created_at=dt.datetime(2024, 3, 1, 8, 0))

    def test_repr_is_one_line_with_schedule(self) -> None:
        """The repr shows id, name, zone, window and days, for notebooks."""
        assert (
            "Workflow(id='wf_2024_0042', name='Acme Tooling GmbH net-30 reminders', "
            "timezone='Europe/Berlin', window='09:00-17:30:00', days=(0, 1, 2, 3, 4))"
        ) == repr(_workflow())

    def test_repr_leaves_out_what_is_unset(self) -> None:
        """Unset fields are left out of the repr and no listed days reads as all days."""
        assert "Workflow(id='wf_1', days='all')" == repr(Workflow(id="wf_1"))
