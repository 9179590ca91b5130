"""NLU inference time per message: the figure the performance work counts in milliseconds.

Loads a trained model (default models/assistant.tar.gz) and parses a fixed set of messages
(eval/dev_tricky.yml + eval/dev_unanswerable.yml: keyboard mash to long rambling questions) one at a time through Rasa's own
``Agent.parse_message``, as the server does. Prints the median and mean ms/message of each message's fastest of
``--rounds`` rounds (the machine is shared: other jobs only ever add time).

    python eval/nlu_speed.py [--model models/assistant.tar.gz] [--rounds 3]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# A fixed message set, so figures before and after a change compare the same work.
DEFAULT_FILES = ["eval/dev_tricky.yml", "eval/dev_unanswerable.yml"]


def messages(files):
    import yaml

    from eval.evaluate import texts_in

    texts = []
    for name in files:
        texts += texts_in(yaml.safe_load((ROOT / name).read_text(encoding="utf-8")))
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "assistant.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--files", nargs="*", default=DEFAULT_FILES)
    args = parser.parse_args()
    from rasa.core.agent import Agent

    agent = Agent.load(args.model)
    texts = messages(args.files)

    async def one_round():
        timings = []
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    asyncio.run(one_round())  # warm-up: Kiwi loads its model on first use
    rounds = [asyncio.run(one_round()) for _ in range(args.rounds)]
    # Each message's fastest time over the rounds: other jobs on the shared cores only ever add time.
    best = [min(times) for times in zip(*rounds)]
    print(f"{len(texts)} messages, each timed {args.rounds}× (fastest kept): "
          f"median {statistics.median(best):.2f} ms/message, mean {statistics.mean(best):.2f} ms/message, "
          f"slowest {max(best):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
