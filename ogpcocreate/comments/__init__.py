"""Comments on draft versions: on the whole or one section, with replies two levels deep."""
