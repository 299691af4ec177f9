"""Readers of Mode S / ADS-B receiver data: Beast, AVR, raw messages, SBS, readsb traces."""
