"""Rasa input channels of this project."""
