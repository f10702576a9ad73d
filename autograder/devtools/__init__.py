"""Developers' tools: stub generation, sample classes, the benchmark."""
