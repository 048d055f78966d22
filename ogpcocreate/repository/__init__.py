"""The public repository: documents the secretariat publishes, attachments, and commission reports."""
