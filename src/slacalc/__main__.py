"""``python -m slacalc`` runs the command line."""

from .cli import main

raise SystemExit(main())
