"""Allow ``python -m hpclsp``."""

from hpclsp.cli import main

raise SystemExit(main())
