"""Supervision services, one module per activity: complaints, spot checks (draws),
inspections (findings, follow-ups, sanctions) and risk signals. Import from the module."""
