"""The programme: events, sessions (webconferences), agenda items and speakers."""
