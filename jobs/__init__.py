"""Scheduled jobs (reminders, digests, honor board): the scheduler arrives in a later issue."""
