"""Policies: the JSON Schema, the model, readable name patterns and the YAML loader."""
