"""Runnable examples of vaix-client (each is also run by the test suite)."""
