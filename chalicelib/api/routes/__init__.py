"""The API's routes, one Blueprint per area; `app.py` registers them all."""
