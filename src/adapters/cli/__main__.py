"""``python -m adapters.cli``: the ``stuut-domain`` command."""

import sys

from adapters.cli import main

sys.exit(main())
