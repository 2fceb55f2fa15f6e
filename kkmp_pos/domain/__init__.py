"""Pure rules and value types of the trade: no I/O, no Qt, standard library only."""
