"""The continuity archive: everything the platform holds, as one self-describing BagIt package."""
