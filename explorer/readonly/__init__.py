"""The read-only console's checks (docs/queries.md, "The console's safety model").

- ``plan``: the gate. The server plans the statement (``EXPLAIN``) and must
  call it a read with no file loader, command or procedure off the allow-list.
- ``guard``: the early keyword scan, for refusals located at a line and column,
  and for saved queries checked when they load (no server needed).
- ``lexer``: Cypher's tokens, shared by the scan and the saved-query loader.

Import from the module that defines a name (``explorer.readonly.guard``,
``.lexer``, ``.plan``); this package root holds nothing else.
"""
