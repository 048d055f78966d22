"""The tripartite technical secretariat: who holds each of the three seats."""
