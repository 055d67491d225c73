"""Example data shipped with the repository (not part of the installed package)."""
