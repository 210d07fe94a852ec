"""`python -m bot ...` is the same as `scrm ...`."""

from bot.cli import cli

cli(prog_name="scrm")
