"""Custom Rasa NLU graph components of the assistant."""
