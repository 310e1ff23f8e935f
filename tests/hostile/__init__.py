"""The checker and the linter on hostile input: it ends, bounded, with a diagnostic."""
