"""`python -m rasa_runtime <rasa args>`: Rasa's CLI with the patches of rasa_runtime.patches."""
import sys

from rasa_runtime import patches

if __name__ == "__main__":
    patches.apply()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
