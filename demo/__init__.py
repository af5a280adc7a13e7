"""The demo county (`manage.py seed_demo`): places, accounts for every role, the roster and a
year of work, built through the real services."""
