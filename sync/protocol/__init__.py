"""The sync wire format shared by outlet and city (SYNC_PROTOCOL.md), version 1."""

PROTOCOL_VERSION = 1
