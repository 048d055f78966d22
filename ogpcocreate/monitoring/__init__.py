"""Monitoring adopted commitments: implementation, the IRM's assessment, performance, recommendations."""
