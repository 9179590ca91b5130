"""Keeping secrets (PINs, SMS codes, resident numbers) out of everything Rasa stores."""
