"""Writes of the subsidy app, one module per stage of the money path."""
