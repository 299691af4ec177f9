"""Reader of EUROCONTROL ASTERIX surveillance data (pcap captures and raw block streams)."""
