"""What the projector shows, chosen by a moderator from the console."""
