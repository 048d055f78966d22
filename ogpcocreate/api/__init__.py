"""The open-data API under /api/v1/: every public resource as JSON, documented by an OpenAPI 3 document."""
