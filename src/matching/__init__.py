"""shanchuan pairing engine (see matching.solve)."""
