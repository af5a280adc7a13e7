"""The inbox, and outgoing messages through a channel (SMS gateway, WeCom, console)."""
