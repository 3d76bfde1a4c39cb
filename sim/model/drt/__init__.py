"""model/drt."""
