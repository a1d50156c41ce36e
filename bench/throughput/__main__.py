import sys

from bench.throughput.run import main

sys.exit(main())
