"""The outlet side of sync: HTTP transport to the city server (requests), retries, typed errors."""
