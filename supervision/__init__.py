"""Supervision: analysis meetings 研判会 and inspections 督导检查 with their problems."""
