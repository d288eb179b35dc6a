"""Selection for support: what the decision grants in a round whose outcome is selection."""
