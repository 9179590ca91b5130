"""Rasa as this product runs it: Rasa's own CLI, with measured performance patches applied first
and its HTTP API token taken from the environment (api_token.py).

`python -m rasa_runtime run ...` is `python -m rasa run ...` plus `patches.apply()`. Each patch
removes work Rasa 3.6.21 repeats on every turn without changing any result; each is covered by
an equivalence test (tests/test_rasa_runtime_patches.py) and its gain is in docs/performance.md.
"""
