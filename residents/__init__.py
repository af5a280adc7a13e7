"""Residents of concern 重点人员与特殊人群: the register, visits and their cycles, the access
log of every opening, and the retention of personal data."""
