"""ci: see docs/architecture.md."""
