"""Starting the whole product (backend, action server, Rasa, web page) for `make run` and tests."""
