"""collect.git: see docs/architecture.md."""
