"""The action server, guarded: `python -m actionserver` instead of `python -m rasa_sdk`.

rasa-sdk 3.6 has no authentication at all, binds 0.0.0.0 unless SANIC_HOST is set, and its
error handler answers 500 with the whole request body (the tracker, with the message just typed).
This server runs the same ActionExecutor behind a shared secret that only Rasa has (Rasa sends it
as `Authorization: Bearer …` from endpoints.yml's action_endpoint `headers:`), binds loopback by
default, binds the secret vault to the tracker's conversation for each call, and never echoes a
request body.
"""
