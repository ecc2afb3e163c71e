"""Plain data: the case, rules, recommendations, results, traces, and the vocabularies they use."""
