"""The accessible web chat (plain HTML/CSS/JS) and the small server for its demo page."""
