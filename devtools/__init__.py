"""Development tooling, not part of the product: the local Kite Connect v3 sandbox
(`devtools.kite_sandbox`) and its `run_kite_sandbox` command. Product apps never import it
(import-linter contract in pyproject.toml); tests and the command do.
"""
