"""Writers for results: tables (JSON Lines, CSV, GeoJSON, Parquet, KML) and reports."""
