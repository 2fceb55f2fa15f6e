"""The city server (Dinas Koperasi): enrolment, journal ingest, master data, the dashboard."""

SERVER_VERSION = "0.1.0"
