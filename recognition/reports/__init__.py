"""Reports for the secretariat: the round's dashboard against the plan's targets, exports, support log."""
