"""The store's revisions, oldest first: ``0001`` the kind tables, ``0002`` the ledger."""
