"""The live spine: connections, rooms, the socket dispatcher, seq and after-commit fan-out."""
