"""NLU components that config.yml names by module path."""
