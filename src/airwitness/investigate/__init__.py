"""Investigations: from an allegation (a case file) to a verdict a sceptic can reproduce."""
