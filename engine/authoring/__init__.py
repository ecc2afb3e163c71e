"""Tools for rule authors: lint, rule tests, coverage, rule diffs, the catalogue, JSON Schemas."""
