"""Mail: an outbox written in the caller's transaction, and a sender that delivers it."""
