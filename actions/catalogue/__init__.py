"""Services catalogue: data·inclusion v1 structures and services, their search, and Rasa actions."""
