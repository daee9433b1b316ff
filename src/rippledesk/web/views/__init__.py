"""Server-rendered pages of the desk, one module per area (inbox, conversation, search...)."""
