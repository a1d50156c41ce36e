"""``python -m bench.canonicalise``: see :mod:`bench.canonicalise.run`."""

from bench.canonicalise.run import main

raise SystemExit(main())
