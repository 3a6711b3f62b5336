"""shanchuan special-fund allocation engine (see allocation.solve)."""
