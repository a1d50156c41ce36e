"""``python -m bench.daemon``: see :mod:`bench.daemon.run`."""

from bench.daemon.run import main

raise SystemExit(main())
