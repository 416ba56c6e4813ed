"""Route handlers, one module per area of the API (``Call -> Reply`` functions)."""
