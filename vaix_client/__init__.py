"""Vaix client."""
