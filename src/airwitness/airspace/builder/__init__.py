"""Build-time code: makes the boundary data that ships with the package.

Only ``scripts/build_airspace.py`` (and its tests) import this: it draws the
territorial sea (:mod:`~airwitness.airspace.builder.territorial`) that the
built-in set holds. Nothing at runtime imports it; the labeller reads the
finished set (:mod:`airwitness.airspace.boundaries`).
"""
