"""The prune job through `scrm`: listed with its schedule, run by hand; and no tick re-run by hand further back
than the job ledger keeps its keys (it could send again what went then)."""

from __future__ import annotations

import re

from click.testing import CliRunner

from bot.cli import cli


def test_jobs_list_shows_prune_with_its_schedule_and_it_runs_by_hand(cli_env):
    runner = CliRunner()
    listed = runner.invoke(cli, ["jobs", "list"], env={**cli_env, "SCRM_SCHEDULE_PRUNE": "13 4 * * *"})
    assert listed.exit_code == 0, listed.output
    assert re.search(r"^prune +13 4 \* \* \* +\d{4}-\d\d-\d\d 04:13 +never$", listed.output, re.M), listed.output
    ran = runner.invoke(cli, ["jobs", "run", "prune"], env=cli_env)
    assert ran.exit_code == 0, ran.output
    assert re.search(
        r"prune @ .*: done: deleted 0 inbox rows, 0 outbox rows, 0 ticks \(finished before .*\), "
        r"0 ledger keys \(before .*\)",
        ran.output,
    )


def test_a_tick_older_than_the_ledger_keeps_is_not_run_again_by_hand(cli_env):
    runner = CliRunner()
    refused = runner.invoke(cli, ["jobs", "run", "daily-digest", "--at", "2024-06-03T18:00"], env=cli_env)
    assert refused.exit_code == 2
    assert (
        "2024-06-03T18:00 is older than the job ledger keeps its keys (400 days, SCRM_KEEP_LEDGER_DAYS): what "
        "that tick sent then could be sent again"
    ) in " ".join(refused.output.split())
    longer = runner.invoke(
        cli,
        ["jobs", "run", "daily-digest", "--at", "2024-06-03T18:00"],
        env={**cli_env, "SCRM_KEEP_LEDGER_DAYS": "3650"},
    )
    assert longer.exit_code == 0, longer.output
