"""The monthly assessment: the scoring scheme and its indicators, "三零" incidents, rankings
and the bulletin, the dashboard, and the monthly evaluations and pay of the network."""
