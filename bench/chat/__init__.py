"""`make bench-chat`: the conversation benchmark, the project beside a stock `rasa init` bot."""
