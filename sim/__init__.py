"""Discrete-event simulator for fixed-route, demand-responsive and autonomous public transport."""

__version__ = "0.1.0"
