"""Random operation sequences against every adapter agree with a plain dict model."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from contract_support import HARNESSES, INVOICE_IDS, Harness, invoice_queries, invoices
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from stuut_domain.errors import ConcurrencyConflict, NotFound
from stuut_domain.invoice import Invoice
from stuut_domain.ports import InvoiceQuery


def machine_for(adapter: str) -> type[RuleBasedStateMachine]:
    """A state machine driving ``adapter`` and a dict model side by side."""

    class StoreMachine(RuleBasedStateMachine):
        """Adds (one or a batch), saves (current and stale), gets and finds; the adapter must
        match the model."""

        def __init__(self) -> None:
            super().__init__()
            self._tmp = tempfile.TemporaryDirectory(prefix="stuut-stateful-")
            self._harness_cm = HARNESSES[adapter](Path(self._tmp.name))
            self.h: Harness = self._harness_cm.__enter__()
            # Writes go through the adapter when it writes, else through the store behind it.
            self.writer: Any = self.h.read if self.h.writable else self.h.seed
            self.model: dict[str, Invoice] = {}
            self.current: dict[str, str] = {}
            self.seen: dict[str, set[str]] = {}

        def teardown(self) -> None:
            self._harness_cm.__exit__(None, None, None)
            self._tmp.cleanup()

        def _stale(self) -> list[tuple[str, str]]:
            return sorted((i, v) for i, vs in self.seen.items() for v in vs if v != self.current[i])

        @rule(inv=invoices())
        def add(self, inv: Invoice) -> None:
            assert inv.id is not None
            if inv.id in self.model:
                with pytest.raises(ConcurrencyConflict):
                    self.writer.invoices.add(inv)
                return
            version = self.writer.invoices.add(inv)
            self.model[inv.id] = inv
            self.current[inv.id] = version
            self.seen.setdefault(inv.id, set()).add(version)

        @rule(batch=st.lists(invoices(), max_size=4))
        def add_many(self, batch: list[Invoice]) -> None:
            """All or nothing: any id stored or repeated refuses the batch, the model stays."""
            ids = [str(inv.id) for inv in batch]
            if len(set(ids)) != len(ids) or any(i in self.model for i in ids):
                with pytest.raises(ConcurrencyConflict):
                    self.writer.invoices.add_many(batch)
                return
            versions = self.writer.invoices.add_many(batch)
            assert len(versions) == len(batch)
            for inv, version in zip(batch, versions, strict=True):
                self.model[str(inv.id)] = inv
                self.current[str(inv.id)] = version
                self.seen.setdefault(str(inv.id), set()).add(version)

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        def save_at_current_version(self, data: st.DataObject) -> None:
            entity_id = data.draw(st.sampled_from(sorted(self.model)))
            replacement = data.draw(invoices(ids=st.just(entity_id)))
            read = self.writer.invoices.get_versioned(entity_id)
            assert (self.model[entity_id], self.current[entity_id]) == (read.entity, read.version)
            version = self.writer.invoices.save(replacement, expected_version=read.version)
            self.model[entity_id] = replacement
            self.current[entity_id] = version
            self.seen[entity_id].add(version)

        @precondition(lambda self: bool(self._stale()))
        @rule(data=st.data())
        def save_at_stale_version_conflicts(self, data: st.DataObject) -> None:
            entity_id, stale = data.draw(st.sampled_from(self._stale()))
            replacement = data.draw(invoices(ids=st.just(entity_id)))
            with pytest.raises(ConcurrencyConflict):
                self.writer.invoices.save(replacement, expected_version=stale)

        @rule(entity_id=st.sampled_from(INVOICE_IDS))
        def get(self, entity_id: str) -> None:
            if entity_id in self.model:
                assert self.model[entity_id] == self.h.read.invoices.get(entity_id)
            else:
                with pytest.raises(NotFound):
                    self.h.read.invoices.get(entity_id)

        @rule(query=invoice_queries())
        def find(self, query: InvoiceQuery) -> None:
            expected = sorted((i.id for i in self.model.values() if query.matches(i)), key=str)
            found = list(self.h.read.invoices.find(query))
            assert expected == sorted((i.id for i in found), key=str)
            assert all(self.model[str(i.id)] == i for i in found)

    StoreMachine.__name__ = f"{adapter.capitalize()}StoreMachine"
    return StoreMachine


_SETTINGS = settings(stateful_step_count=25)

TestMemoryStoreAgreesWithModel = _SETTINGS(machine_for("memory")).TestCase
TestJsonStoreAgreesWithModel = pytest.mark.slow(_SETTINGS(machine_for("json")).TestCase)
TestHttpApiAgreesWithModel = pytest.mark.slow(_SETTINGS(machine_for("http")).TestCase)
TestSqliteStoreAgreesWithModel = _SETTINGS(machine_for("sqlite")).TestCase
TestSqliteMemoryStoreAgreesWithModel = _SETTINGS(machine_for("sqlite_memory")).TestCase
TestPostgresqlStoreAgreesWithModel = pytest.mark.slow(_SETTINGS(machine_for("postgresql")).TestCase)
