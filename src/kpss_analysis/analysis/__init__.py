"""Pure computations per topic: frames in, frames out, no I/O, no plotting."""
