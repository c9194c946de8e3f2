"""A user's first Hypothesis test passes: new interpreter, empty database, default profile.

The project's own suite loads its ``dev``/``ci`` profiles (tests/conftest.py; ``ci`` suppresses
``HealthCheck.too_slow``) and warms ``.hypothesis/``, so it cannot see what a new user sees. Each
test here runs pytest in a new interpreter, in an empty directory (so an empty ``.hypothesis/``
and none of this project's conftest or settings), with Hypothesis's default profile, over one
public strategy: the one-off setup Hypothesis does on a first run must not be timed as data
generation by our strategies (ADR 0037).
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import hypothesis._settings as hypothesis_settings_module
import pytest

import stuut_domain.strategies

ROOT = Path(__file__).resolve().parents[1]

CHECK_PORTFOLIO = (
    "assert check_partner(value.partner) == ()\n"
    "assert all(check_invoice(i) == () for i in value.invoices)\n"
    "assert all(check_payment(p) == () for p in value.payments)"
)

#: What a user's first test asserts about a value of each public strategy (the body of the
#: test, over ``value``). Every public strategy must be listed (see the completeness test).
FIRST_TESTS: dict[str, str] = {
    "invoices()": "assert check_invoice(value) == ()",
    "partners()": "assert check_partner(value) == ()",
    "payments()": "assert check_payment(value) == ()",
    "workflows()": "assert check_workflow(value) == ()",
    "portfolios()": CHECK_PORTFOLIO,
    "contacts()": "assert isinstance(value, Contact)",
    "line_items()": "assert isinstance(value, LineItem)",
    "moneys()": "assert isinstance(value, Money)",
    "currencies()": "assert value in CURRENCY_CODES",
    "aware_datetimes()": "assert value.utcoffset() is not None",
    "stuut_json_invoices()": 'assert value["object"] == "invoice"',
    "bank_transactions()": "assert check_bank_transaction(value) == ()",
    "cash_cases()": "assert sum(m.minor_units for m in value.cash.values()) > 0",
    "credit_scenarios()": (
        "assert check_invoice(value.invoice) == ()\nassert len(value.notes) == len(value.splits)"
    ),
    "dispute_scenarios()": "assert all(check_invoice(i) == () for i in value.invoices)",
    "promise_scenarios()": "assert check_invoice(value.invoice) == ()",
    "credit_notes()": "assert check_alone(value) == ()",
    "customer_credits()": "assert check_alone(value) == ()",
    "disputes()": "assert check_alone(value) == ()",
    "promises()": "assert check_alone(value) == ()",
    "st.from_type(Invoice)": "assert check_invoice(value) == ()",
    "st.from_type(CreditNote)": "assert check_alone(value) == ()",
    "st.from_type(CustomerCredit)": "assert check_alone(value) == ()",
    "st.from_type(Dispute)": "assert check_alone(value) == ()",
    "st.from_type(Promise)": "assert check_alone(value) == ()",
    "st.from_type(Portfolio)": CHECK_PORTFOLIO,
}

USER_TEST = """\
from hypothesis import given, settings
from hypothesis import strategies as st

from stuut_domain.cash import check_bank_transaction
from stuut_domain.invariants import check_invoice, check_partner, check_payment, check_workflow
from stuut_domain.invoice import Invoice, LineItem
from stuut_domain.money import CURRENCY_CODES, Money
from stuut_domain.owed import CreditNote, CustomerCredit, Dispute, Promise, check_alone
from stuut_domain.partner import Contact
from stuut_domain.strategies import *


def test_hypothesis_runs_with_its_default_profile():
    current, default = settings(), settings.get_profile("default")
    assert (current.max_examples, current.deadline, tuple(current.suppress_health_check)) == (
        default.max_examples,
        default.deadline,
        (),
    )
    assert current.deadline is not None


@given({strategy})
def test_first(value):
{body}
"""


#: The variables by which Hypothesis knows it runs in CI and loads its own "ci" profile
#: (deadline off, too_slow suppressed). A user's first hour is on their own machine, so the
#: first run is tried without them; the CI job that runs this suite sets ``CI=true``.
_CI_VARIABLES: frozenset[str] = frozenset(
    getattr(hypothesis_settings_module, "_CI_VARS", None)
    or (
        "CI",
        "TF_BUILD",
        "BUILDKITE",
        "CIRCLECI",
        "CIRRUS_CI",
        "CODEBUILD_BUILD_ID",
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "HEROKU_TEST_RUN_ID",
        "TEAMCITY_VERSION",
    )
)


def _fresh_environment() -> dict[str, str]:
    """This environment without anything that would choose a Hypothesis profile or database:
    no ``HYPOTHESIS_*`` or ``PYTEST_*`` variable, and no CI marker (see above)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HYPOTHESIS_", "PYTEST_")) and key not in _CI_VARIABLES
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        env=_fresh_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class TestAUsersFirstRun:
    def test_every_public_strategy_has_a_first_run_test(self) -> None:
        """FIRST_TESTS covers each function in stuut_domain.strategies.__all__."""
        public = {
            name
            for name in stuut_domain.strategies.__all__
            if inspect.isfunction(getattr(stuut_domain.strategies, name))
        }
        covered = {key.removesuffix("()") for key in FIRST_TESTS if not key.startswith("st.")}
        assert public == covered

    @pytest.mark.slow
    @pytest.mark.parametrize("strategy", FIRST_TESTS, ids=list(FIRST_TESTS))
    def test_a_first_given_test_passes(self, strategy: str, tmp_path: Path) -> None:
        """@given(<strategy>) passes as a new user's first test, health checks included."""
        body = textwrap.indent(FIRST_TESTS[strategy], "    ")
        (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        (tmp_path / "test_first.py").write_text(
            USER_TEST.format(strategy=strategy, body=body), encoding="utf-8"
        )
        result = _pytest(tmp_path, "test_first.py")
        assert (0, "2 passed") == (
            result.returncode,
            "2 passed" if "2 passed" in result.stdout else result.stdout + result.stderr,
        )

    @pytest.mark.slow
    def test_the_readme_passes_alone_in_a_fresh_clone(self, tmp_path: Path) -> None:
        """`pytest README.md` in a fresh copy (no .hypothesis/, no tests/conftest.py) passes."""
        clone = tmp_path / "clone"
        clone.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, clone / name)
        if (ROOT / "tests" / "data").is_dir():  # the API example the README may read
            shutil.copytree(ROOT / "tests" / "data", clone / "tests" / "data")
        result = _pytest(clone, "README.md")
        assert (0, False, "1 passed") == (
            result.returncode,
            (clone / "tests" / "conftest.py").exists(),
            "1 passed" if "1 passed" in result.stdout else result.stdout + result.stderr,
        )
