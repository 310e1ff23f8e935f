"""Side-by-side benchmarks of exoml against its peers and its floors (``make bench``)."""
