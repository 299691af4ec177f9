"""Readers of ready positions, one per row or point: OpenSky, traffic, plain CSV, GPX, KML."""
