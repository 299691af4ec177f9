"""Live crossing alerts from receiver and radar feeds (``airwitness watch``, docs/watch.md)."""
