"""The audit log 审计日志: a hash chain of every write (the chain: models, services, signals),
and its pages for the committee (views, selectors)."""
