"""Icons, translations and other files the application ships (read with importlib.resources)."""
