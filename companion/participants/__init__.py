"""People: registrations, participants of a session, staff accounts and their tokens."""
