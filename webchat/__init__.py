"""The web front of 금융인증서 도우미: an embeddable chat widget and the same-origin server for it."""
