"""Property-based tests (hypothesis) of the builder, the renderer and the three judges."""
