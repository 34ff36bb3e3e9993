"""The PyInstaller bundle's entry script: the same entry point as the ``vault-app`` console script.

In the bundle ``sys.executable`` is this program, not a Python, so ``sys.executable -m MODULE``
(how ``vault-app copy`` starts its clipboard-holding child) arrives here: run that module.
"""

import runpy
import sys

if len(sys.argv) >= 3 and sys.argv[1] == "-m" and sys.argv[2].startswith("vault_app."):
    module = sys.argv[2]
    sys.argv = [sys.argv[0], *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    raise SystemExit(0)

from vault_app.launcher import main

raise SystemExit(main())
