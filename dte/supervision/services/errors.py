class SupervisionError(ValueError):
    """A refusal with a message for the person who asked (Chinese by default)."""
