"""Entry point: ``python main.py --help``."""

from sim.cli.app import app

if __name__ == "__main__":
    app()
