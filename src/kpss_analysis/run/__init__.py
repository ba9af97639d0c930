"""Running chapters: chapter discovery, the warm kernel, one ORP, batches, the command line."""
