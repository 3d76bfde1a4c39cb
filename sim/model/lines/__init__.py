"""model/lines."""
