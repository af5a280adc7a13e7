"""Cases 矛盾纠纷与隐患: reporting, the guarded workflow, assignment on two lines, deadlines,
the overdue sweeps, and the statistics that equal their lists."""
