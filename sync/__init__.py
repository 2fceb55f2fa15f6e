"""Outlet <-> city synchronisation: the wire protocol, the client and the city server."""
