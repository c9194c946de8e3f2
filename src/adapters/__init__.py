"""The edges of stuut-domain: the Stuut JSON codec, stores, the HTTP client, the fake API, the CLI.

Each submodule is named for the technology it adapts (ADR 0006). Nothing is built at import
time: construct adapters explicitly in a composition root (a service's startup, the CLI).
"""
