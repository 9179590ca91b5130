"""Korean language processing for the assistant: Kiwi morphology inside a spaCy pipeline."""
