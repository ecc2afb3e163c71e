"""From recommendations to a plan: horizons and ranks, specification, logic models, go-zone priors."""
