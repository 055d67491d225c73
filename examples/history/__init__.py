"""A realistic Orbitask ticket-history export and the seeded generator that writes it."""
