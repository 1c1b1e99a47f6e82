"""Live polls: single and multiple choice, word cloud, rating, open text, ranking, quiz."""
