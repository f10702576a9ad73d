"""The sandbox tier: worker slots, the submission handle, backends, limits and the worker that runs student code."""
