"""Q&A: attendees ask, the room upvotes, moderators decide what reaches the speaker."""
