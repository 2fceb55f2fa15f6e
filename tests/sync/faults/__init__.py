"""Faults: cut connections, replays, gaps, forks, bad tokens and thousands of malformed batches."""
