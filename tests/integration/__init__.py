"""Integration tests: whole paths through real components, fakes only for what cannot run here."""
