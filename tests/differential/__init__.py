"""Differential testing: exoml.validate against two XSD validators on mutated documents."""
