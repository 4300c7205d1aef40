"""GitHub's facts of a repository (REST: ``collector``; GraphQL: ``graphql``); see docs/architecture.md."""
