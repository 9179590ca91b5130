"""`python -m logsafety <module> [args...]`: run a module as `python -m <module>` would, with
scrubbed logging installed first (e.g. `python -m logsafety rasa run ...`)."""
import runpy
import sys

from logsafety import install


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m logsafety <module> [args...]")
    install()
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
