from __future__ import annotations

from newsgen.cli import main

raise SystemExit(main())
