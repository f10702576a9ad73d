"""The coordinator: discovery, scheduling on shards, saved state, the late policy, progress."""
