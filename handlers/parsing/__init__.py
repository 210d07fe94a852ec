"""Parsing what reps type: words, times, amounts and commands. Pure functions: no database, no WeCom."""
