"""``python -m vaix_client``: the command line."""

from vaix_client.cli import main

raise SystemExit(main())
