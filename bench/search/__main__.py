import sys

from bench.search.run import main

sys.exit(main())
