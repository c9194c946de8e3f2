"""The JSON store beyond the contract: layout, corrupt files, crashes and rival processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import attrs
import pytest
from contract_support import invoice, partner

import adapters.samples
from adapters import stuut_json
from adapters.errors import CorruptRecord, ReadOnlyStore, StoreNotFound
from adapters.json_store import JsonStore, content_version
from adapters.samples import copy_sample_portfolio, sample_portfolio_path
from stuut_domain.errors import AlreadyExists, ConcurrencyConflict
from stuut_domain.ports import InvoiceQuery

SEED_INVOICE = Path(adapters.samples.__file__).with_name("retrieve_an_invoice.json")


class TestLayout:
    def test_each_entity_is_one_file_named_by_id(self, tmp_path: Path) -> None:
        """add writes <root>/<kind>/<id>.json holding the entity's wire JSON, nothing more."""
        store = JsonStore(tmp_path)
        inv = invoice("inv_2024_0042")
        store.invoices.add(inv)
        store.partners.add(partner("ptn_acme"))
        written = tmp_path / "invoices" / "inv_2024_0042.json"
        assert (True, True, inv) == (
            written.is_file(),
            (tmp_path / "partners" / "ptn_acme.json").is_file(),
            stuut_json.decode_invoice(written.read_bytes()),
        )

    def test_a_fixture_captured_from_the_api_drops_in_as_is(self, tmp_path: Path) -> None:
        """The seed API response, saved as invoices/<id>.json, reads back as that invoice."""
        body = json.loads(SEED_INVOICE.read_bytes())
        body["id"] = "inv_seed"
        raw = json.dumps(body, indent=2).encode()
        (tmp_path / "invoices").mkdir()
        (tmp_path / "invoices" / "inv_seed.json").write_bytes(raw)
        got = JsonStore(tmp_path).invoices.get_versioned("inv_seed")
        assert (stuut_json.decode_invoice(raw), content_version(raw)) == (got.entity, got.version)

    def test_the_stores_own_files_are_never_listed(self, tmp_path: Path) -> None:
        """.lock, stray temporary files and non-JSON files are not entities."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0042"))
        folder = tmp_path / "invoices"
        (folder / ".inv_2024_0043.json.0badc0ffee.tmp").write_bytes(b'{"half": ')
        (folder / "README.md").write_text("notes")
        assert ["inv_2024_0042"] == [i.id for i in store.invoices.find()]

    def test_an_empty_root_lists_nothing(self, tmp_path: Path) -> None:
        """A store with no folders yet is empty, not an error."""
        assert [] == list(JsonStore(tmp_path).invoices.find())

    def test_a_root_that_does_not_exist_is_refused_not_read_as_empty(self, tmp_path: Path) -> None:
        """JsonStore("/typo/path") says there is no store there, and how to make one."""
        with pytest.raises(StoreNotFound, match="create=True") as caught:
            JsonStore(tmp_path / "typo")
        assert (str(tmp_path / "typo"), True) == (
            caught.value.root,
            isinstance(caught.value, FileNotFoundError),
        )

    def test_a_file_as_root_says_it_is_not_a_directory(self, tmp_path: Path) -> None:
        """A path to a file is no store either, and the message says which mistake it is."""
        (tmp_path / "afile").write_text("x")
        with pytest.raises(StoreNotFound, match="not a directory"):
            JsonStore(tmp_path / "afile")

    def test_a_directory_that_holds_no_store_is_refused(self, tmp_path: Path) -> None:
        """Files but no kind folder (JsonStore('/usr'), or one level too deep): refused, not
        read as an empty book; create=True opens it anyway."""
        JsonStore(tmp_path / "store", create=True).invoices.add(invoice("inv_2024_0042"))
        with pytest.raises(StoreNotFound, match="no invoices/, partners/"):
            JsonStore(tmp_path / "store" / "invoices")
        assert [] == list(JsonStore(tmp_path / "store" / "invoices", create=True).invoices.ids())

    def test_create_makes_a_new_store(self, tmp_path: Path) -> None:
        """create=True starts an empty store at a new directory."""
        store = JsonStore(tmp_path / "new" / "store", create=True)
        store.invoices.add(invoice("inv_2024_0042"))
        assert ["inv_2024_0042"] == list(JsonStore(tmp_path / "new" / "store").invoices.ids())

    def test_the_version_is_the_digest_of_the_file(self, tmp_path: Path) -> None:
        """A file edited by hand has a new version, so a save based on the old one conflicts."""
        store = JsonStore(tmp_path)
        before = store.invoices.add(invoice("inv_2024_0042"))
        path = tmp_path / "invoices" / "inv_2024_0042.json"
        path.write_bytes(stuut_json.encode_invoice(invoice("inv_2024_0042", memo="edited")))
        after = store.invoices.get_versioned("inv_2024_0042").version
        assert (True, content_version(path.read_bytes())) == (before != after, after)


class TestUnknownKeysSurviveAWrite:
    """ADR 0034: a record read from a file is written back with what the model does not know."""

    def _seed_file(self, root: Path) -> dict[str, object]:
        body = json.loads(SEED_INVOICE.read_bytes())
        body["id"] = "inv_seed"
        body["x_erp_batch"] = {"run": 7, "rate": 1.50}
        body["payments"][0]["x_erp_line"] = "L-1"
        (root / "invoices").mkdir()
        raw = json.dumps(body).encode().replace(b'"rate": 1.5}', b'"rate": 1.50}')
        (root / "invoices" / "inv_seed.json").write_bytes(raw)
        return body

    def test_saving_a_changed_record_keeps_its_unknown_keys_and_absences(
        self, tmp_path: Path
    ) -> None:
        """get, evolve, save: the file changes in the changed field only."""
        body = self._seed_file(tmp_path)
        store = JsonStore(tmp_path)
        current = store.invoices.get_versioned("inv_seed")
        store.invoices.save(
            attrs.evolve(current.entity, memo="called on Monday"),
            expected_version=current.version,
        )
        written = json.loads((tmp_path / "invoices" / "inv_seed.json").read_bytes())
        assert {**body, "memo": "called on Monday"} == written
        assert "1.50" in (tmp_path / "invoices" / "inv_seed.json").read_text()

    def test_adding_a_decoded_record_writes_its_document(self, tmp_path: Path) -> None:
        """A decoded invoice added to another store is written as it was read."""
        body = self._seed_file(tmp_path)
        entity = JsonStore(tmp_path).invoices.get("inv_seed")
        other = tmp_path / "other"
        JsonStore(other, create=True).invoices.add(entity)
        assert body == json.loads((other / "invoices" / "inv_seed.json").read_bytes())


class TestCorruptFiles:
    def _store_with(self, tmp_path: Path, bad: bytes) -> JsonStore:
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0041"))
        store.invoices.add(invoice("inv_2024_0043"))
        (tmp_path / "invoices" / "inv_2024_0042.json").write_bytes(bad)
        return store

    def test_a_file_that_is_not_json_names_the_file(self, tmp_path: Path) -> None:
        """Truncated JSON: CorruptRecord naming the file; its neighbours still read."""
        store = self._store_with(tmp_path, b'{"amount_due": 12')
        with pytest.raises(CorruptRecord) as caught:
            store.invoices.get("inv_2024_0042")
        neighbours = [store.invoices.get(i).id for i in ("inv_2024_0041", "inv_2024_0043")]
        assert (
            str(tmp_path / "invoices" / "inv_2024_0042.json"),
            ["inv_2024_0041", "inv_2024_0043"],
        ) == (
            caught.value.file,
            neighbours,
        )

    def test_an_invalid_entity_names_the_json_path(self, tmp_path: Path) -> None:
        """A wrong type inside: the error names the file and the JSON path of the field."""
        body = json.loads(stuut_json.encode_invoice(invoice("inv_2024_0042")))
        body["total_amount"] = "twelve hundred"
        store = self._store_with(tmp_path, json.dumps(body).encode())
        with pytest.raises(CorruptRecord) as caught:
            store.invoices.get("inv_2024_0042")
        paths = [p.path for p in caught.value.problems]
        assert (True, True) == (
            any("total_amount" in p for p in paths),
            "inv_2024_0042.json" in str(caught.value),
        )

    def test_a_corrupt_record_lists_the_codecs_own_problems(self, tmp_path: Path) -> None:
        """One Problem record: the store hands on the codec's problems, value included."""
        body = json.loads(stuut_json.encode_invoice(invoice("inv_2024_0042")))
        body["total_amount"] = "twelve hundred"
        store = self._store_with(tmp_path, json.dumps(body).encode())
        with pytest.raises(CorruptRecord) as caught:
            store.invoices.get("inv_2024_0042")
        with pytest.raises(stuut_json.DecodeError) as decoded:
            stuut_json.decode_invoice(json.dumps(body))
        assert (decoded.value.problems, True) == (
            caught.value.problems,
            all(type(p) is stuut_json.Problem for p in caught.value.problems),
        )

    def test_an_id_that_disagrees_with_the_file_name_is_corrupt(self, tmp_path: Path) -> None:
        """invoices/inv_A.json must hold invoice inv_A."""
        store = self._store_with(tmp_path, stuut_json.encode_invoice(invoice("inv_other")))
        with pytest.raises(CorruptRecord) as caught:
            store.invoices.get("inv_2024_0042")
        assert ["id"] == [p.path for p in caught.value.problems]

    def test_a_listing_can_skip_and_report_corrupt_files(self, tmp_path: Path) -> None:
        """find(on_corrupt=skipped.append): every good invoice, and each bad file reported."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0041"))
        store.invoices.add(invoice("inv_2024_0043"))
        (tmp_path / "invoices" / "inv_2024_0042.json").write_bytes(b'{"amount_due": ')
        skipped: list[CorruptRecord] = []
        found = sorted(str(i.id) for i in store.invoices.find(on_corrupt=skipped.append))
        assert (["inv_2024_0041", "inv_2024_0043"], ["inv_2024_0042.json"]) == (
            found,
            [Path(s.file).name for s in skipped],
        )

    def test_a_file_that_cannot_be_read_is_corrupt_not_vanished(self, tmp_path: Path) -> None:
        """A link to nothing and a directory named like a file are reported (find with
        on_corrupt, problems()), never dropped silently nor raised as OSError."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0041"))
        (tmp_path / "invoices" / "inv_dangling.json").symlink_to(tmp_path / "nowhere")
        (tmp_path / "invoices" / "inv_folder.json").mkdir()
        skipped: list[CorruptRecord] = []
        found = [i.id for i in store.invoices.find(on_corrupt=skipped.append)]
        surveyed = sorted(Path(p.file).name for p in store.problems())
        assert (
            ["inv_2024_0041"],
            ["inv_dangling.json", "inv_folder.json"],
            ["inv_dangling.json", "inv_folder.json"],
        ) == (found, sorted(Path(s.file).name for s in skipped), surveyed)
        with pytest.raises(CorruptRecord, match="link to nothing"):
            store.invoices.get("inv_dangling")

    def test_a_listing_stops_at_the_corrupt_file_and_names_it(self, tmp_path: Path) -> None:
        """find raises on the bad file rather than silently skipping it."""
        store = self._store_with(tmp_path, b"\x00\x01 not json")
        with pytest.raises(CorruptRecord, match=r"inv_2024_0042\.json"):
            list(store.invoices.find())

    def test_problems_surveys_every_bad_file_without_raising(self, tmp_path: Path) -> None:
        """problems() yields one error per unreadable file, good files are not mentioned."""
        store = self._store_with(tmp_path, b"")
        (tmp_path / "invoices" / "bad name.json").write_bytes(b"{}")
        files = sorted(Path(p.file).name for p in store.problems())
        assert ["bad name.json", "inv_2024_0042.json"] == files


WRITER = textwrap.dedent(
    """
    import sys
    from adapters.json_store import JsonStore
    from adapters import stuut_json
    import attrs
    store = JsonStore(sys.argv[1])
    memo = "x" * 200_000  # a big file: the kill lands mid-write often
    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        cur = store.invoices.get_versioned("inv_2024_0042")
        new = attrs.evolve(cur.entity, memo=f"{n}:{memo}")
        store.invoices.save(new, expected_version=cur.version)
    """
)

INCREMENTER = textwrap.dedent(
    """
    import sys
    import attrs
    from adapters.json_store import JsonStore
    from stuut_domain.errors import ConcurrencyConflict
    store = JsonStore(sys.argv[1])
    conflicts = 0
    for _ in range(int(sys.argv[2])):
        while True:
            cur = store.invoices.get_versioned("inv_2024_0042")
            count = int(cur.entity.memo or "0")
            try:
                store.invoices.save(
                    attrs.evolve(cur.entity, memo=str(count + 1)), expected_version=cur.version
                )
                break
            except ConcurrencyConflict:
                conflicts += 1
    print(conflicts)
    """
)


class TestTheBundledSample:
    def test_the_bundled_sample_is_opened_read_only(self) -> None:
        """Saving into the installed sample is refused, and nothing (no .lock) is written."""
        store = JsonStore(sample_portfolio_path())
        folder = sample_portfolio_path() / "invoices"
        before = sorted(p.name for p in folder.iterdir())
        some = next(store.invoices.find())
        with pytest.raises(ReadOnlyStore, match="copy_sample_portfolio"):
            store.invoices.add(attrs.evolve(some, id="inv_new"))
        current = store.invoices.get_versioned(str(some.id))
        with pytest.raises(ReadOnlyStore):
            store.invoices.save(some, expected_version=current.version)
        assert (True, before) == (store.read_only, sorted(p.name for p in folder.iterdir()))

    def test_a_copy_of_the_sample_is_writable(self, tmp_path: Path) -> None:
        """copy_sample_portfolio gives a store of the same invoices that takes writes."""
        copy = JsonStore(copy_sample_portfolio(tmp_path / "mine"))
        some = next(copy.invoices.find())
        current = copy.invoices.get_versioned(str(some.id))
        copy.invoices.save(attrs.evolve(some, memo="edited"), expected_version=current.version)
        assert (False, "edited") == (copy.read_only, copy.invoices.get(str(some.id)).memo)


class TestWriteRefusals:
    def test_adding_an_existing_id_says_it_already_exists(self, tmp_path: Path) -> None:
        """Not "expected version None": AlreadyExists, still a ConcurrencyConflict."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0042"))
        with pytest.raises(AlreadyExists, match="'inv_2024_0042' already exists") as caught:
            store.invoices.add(invoice("inv_2024_0042"))
        assert isinstance(caught.value, ConcurrencyConflict)

    def test_read_only_refuses_every_write(self, tmp_path: Path) -> None:
        """read_only=True: add and save are refused, the files stay as they were."""
        JsonStore(tmp_path).invoices.add(invoice("inv_2024_0042"))
        frozen = JsonStore(tmp_path, read_only=True)
        with pytest.raises(ReadOnlyStore):
            frozen.invoices.add(invoice("inv_2024_0043"))
        assert ["inv_2024_0042"] == list(frozen.invoices.ids())


class TestCrashesAndRivals:
    def test_a_writer_killed_mid_write_never_leaves_a_partial_file(self, tmp_path: Path) -> None:
        """SIGKILL at random moments during rewrites: the file always decodes to a whole invoice."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0042", memo="0"))
        outcomes = []
        for delay in (0.05, 0.11, 0.17, 0.23, 0.31):
            proc = subprocess.Popen(
                [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE
            )
            assert proc.stdout is not None
            proc.stdout.readline()  # "ready"
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            survivor = store.invoices.get("inv_2024_0042")
            outcomes.append(survivor.id)
            # The lock died with the writer: the next save goes through.
            current = store.invoices.get_versioned("inv_2024_0042")
            store.invoices.save(current.entity, expected_version=current.version)
        listed = [i.id for i in store.invoices.find()]
        assert (["inv_2024_0042"] * 5, ["inv_2024_0042"]) == (outcomes, listed)
        # The save after each kill reused the entity's one temporary name: nothing piles up.
        leftovers = [p.name for p in (tmp_path / "invoices").iterdir() if p.suffix == ".tmp"]
        assert [] == leftovers

    def test_a_stray_temporary_file_from_a_crash_is_reused_by_the_next_write(
        self, tmp_path: Path
    ) -> None:
        """A half-written temp file left by a dead writer is overwritten, then renamed away."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0042", memo="before"))
        stray = tmp_path / "invoices" / ".inv_2024_0042.json.tmp"
        stray.write_bytes(b'{"amount_due": 12')
        current = store.invoices.get_versioned("inv_2024_0042")
        store.invoices.save(
            attrs.evolve(current.entity, memo="after"), expected_version=current.version
        )
        assert ("after", False) == (store.invoices.get("inv_2024_0042").memo, stray.exists())

    def test_a_symlink_planted_at_the_temporary_name_is_not_written_through(
        self, tmp_path: Path
    ) -> None:
        """A link at .<id>.json.tmp to a file elsewhere: that file is untouched, the entity
        is written, and the link is gone."""
        store = JsonStore(tmp_path / "store", create=True)
        store.invoices.add(invoice("inv_2024_0042", memo="before"))
        victim = tmp_path / "victim.txt"
        victim.write_bytes(b"precious")
        planted = tmp_path / "store" / "invoices" / ".inv_2024_0042.json.tmp"
        planted.symlink_to(victim)
        current = store.invoices.get_versioned("inv_2024_0042")
        store.invoices.save(
            attrs.evolve(current.entity, memo="after"), expected_version=current.version
        )
        assert (b"precious", "after", False) == (
            victim.read_bytes(),
            store.invoices.get("inv_2024_0042").memo,
            planted.is_symlink(),
        )

    def test_rival_processes_lose_no_update(self, tmp_path: Path) -> None:
        """Four processes each add 1 to a counter 15 times, retrying conflicts: it ends at 60."""
        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_2024_0042", memo="0"))
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", INCREMENTER, str(tmp_path), "15"],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        conflicts = [int(p.communicate(timeout=120)[0]) for p in procs]
        # How often writers re-read depends on timing; that each saw a count is what matters.
        assert ([0, 0, 0, 0], "60", 4) == (
            [p.returncode for p in procs],
            store.invoices.get("inv_2024_0042").memo,
            len(conflicts),
        )

    def test_a_stale_write_from_another_process_is_refused(self, tmp_path: Path) -> None:
        """A version read before another process saved no longer saves; nothing is overwritten."""
        store = JsonStore(tmp_path)
        stale = store.invoices.add(invoice("inv_2024_0042", memo="0"))
        subprocess.run(
            [sys.executable, "-c", INCREMENTER, str(tmp_path), "1"], check=True, capture_output=True
        )
        from stuut_domain.errors import ConcurrencyConflict

        with pytest.raises(ConcurrencyConflict):
            store.invoices.save(invoice("inv_2024_0042", memo="mine"), expected_version=stale)
        assert "1" == store.invoices.get("inv_2024_0042").memo

    def test_filtering_a_stream_agrees_with_filtering_everything(self, tmp_path: Path) -> None:
        """A filtered listing equals filtering the full listing in memory."""
        store = JsonStore(tmp_path)
        for n in range(30):
            store.invoices.add(
                invoice(f"inv_{n:04d}", partner_id=f"ptn_{n % 3}", paid=(n % 2) * 100)
            )
        query = InvoiceQuery(partner_id="ptn_1", open_only=True)
        expected = sorted(i.id for i in store.invoices.find() if query.matches(i))
        assert expected == sorted(i.id for i in store.invoices.find(query))


class TestAddMany:
    def test_a_failed_file_write_removes_the_files_the_batch_wrote(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The disk fills on the third file: OSError, and the folder holds only what it held."""
        from adapters import json_store

        store = JsonStore(tmp_path)
        store.invoices.add(invoice("inv_0000"))
        real_write = json_store.atomic_write
        calls = []

        def filling(path: Path, data: bytes) -> None:
            calls.append(path.name)
            if len(calls) == 3:
                raise OSError(28, "No space left on device")
            real_write(path, data)

        monkeypatch.setattr(json_store, "atomic_write", filling)
        with pytest.raises(OSError, match="No space"):
            store.invoices.add_many(invoice(f"inv_{n:04d}") for n in range(1, 5))
        names = sorted(p.name for p in (tmp_path / "invoices").iterdir())
        assert (3, [".lock", "inv_0000.json"]) == (len(calls), names)

    def test_a_read_only_store_refuses_a_batch(self) -> None:
        """The bundled sample is read-only: ReadOnlyStore, as add raises it."""
        store = JsonStore(sample_portfolio_path())
        with pytest.raises(ReadOnlyStore):
            store.invoices.add_many([invoice("inv_new_0001")])
