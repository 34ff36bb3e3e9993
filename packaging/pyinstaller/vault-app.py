"""The PyInstaller bundle's entry script: the same entry point as the ``vault-app`` console script."""

from vault_app.launcher import main

raise SystemExit(main())
