"""Demonstration data that looks like a real Mexican co-creation process (fictional people and groups)."""
