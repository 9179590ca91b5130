"""Custom actions of the 금융인증서 도우미 (run by `rasa run actions`)."""
