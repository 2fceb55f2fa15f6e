"""Use cases of the outlet: each public function is one unit of work (all or nothing)."""
