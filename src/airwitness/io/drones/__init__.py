"""Readers of drone data: PX4 ULog, MAVLink tlog, ArduPilot DataFlash logs, Remote ID."""
