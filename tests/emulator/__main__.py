"""python -m tests.emulator --port PORT --dir DIR"""

import sys

from tests.emulator.server import main

sys.exit(main())
