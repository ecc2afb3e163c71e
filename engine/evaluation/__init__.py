"""Evaluating a case: the Matcher interface and its two matchers, the runner, explanations."""
