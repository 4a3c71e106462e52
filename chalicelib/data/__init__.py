"""Data access: the table's items, every key shape, cursors and repositories."""
