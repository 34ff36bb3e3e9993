from vault_app.launcher import main

raise SystemExit(main())
