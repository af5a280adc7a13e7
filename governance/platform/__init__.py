"""The platform every app stands on, and which knows no app: API and page helpers, bulk
insert, resends, the input guard, validators, XLSX writing, encrypted personal-data fields,
roles, locks. Checked by import-linter (pyproject.toml)."""
