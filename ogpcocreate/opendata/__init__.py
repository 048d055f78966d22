"""Open data: the public record as machine-readable lists and streamed CSV exports."""
