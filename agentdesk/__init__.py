"""The bank's side of the chat: live agent handoff, the agent console, conversation insights."""
