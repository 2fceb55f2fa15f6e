"""Lets `python -m kkmp_pos` behave like the `kkmp-pos` command."""

from kkmp_pos.cli import main

raise SystemExit(main())
