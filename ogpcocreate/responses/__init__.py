"""Reasoned responses [respuestas razonadas]: the secretariat's answer to every contribution."""
