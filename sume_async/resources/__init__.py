"""One module per API area; each resource is a thin, typed front for its endpoints."""
