"""The SCRM store: tables, sessions and domain services. Imports nothing of bot/, handlers/ or jobs/."""
