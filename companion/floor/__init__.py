"""Speaker handovers: who has the floor, for how long, who is next."""
