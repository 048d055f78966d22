"""Proposals submitted to an open call, by organisations or, where a call allows it, individuals."""
