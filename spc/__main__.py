"""`python -m spc`: the SPC engine's JSON / CSV command line (see spc/README.md)."""

from spc.engine.cli import main

raise SystemExit(main())
