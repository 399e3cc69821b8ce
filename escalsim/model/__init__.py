"""The reference model: per-run parameters, state, valuation, decision rules, triggers."""
