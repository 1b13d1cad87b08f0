"""``python -m engine.cli``: the dtrun command."""

from engine.cli import main

if __name__ == "__main__":  # not when a worker process imports this module again
    main()
