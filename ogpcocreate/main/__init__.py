"""Site-wide pages: home, the public participation record, language choice, health check."""
