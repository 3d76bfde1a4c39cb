"""Entry point: ``python main.py --help``."""

from sim.cli import app

if __name__ == "__main__":
    app()
