"""collect.github.client: see docs/architecture.md."""
