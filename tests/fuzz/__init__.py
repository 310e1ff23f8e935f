"""Long fuzzing campaigns (make fuzz): differential mutants and a coverage-guided target."""
