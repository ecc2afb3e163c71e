"""The rule language: its pydantic model, the loader, the cache, placeholders and rule strata."""
