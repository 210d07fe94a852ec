"""Scheduled jobs: each declared once in jobs/table.py (name, schedule, function, settings, texts); one module
per job; `run_job` (jobs/runner.py) is the only way a tick runs."""
