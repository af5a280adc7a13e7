"""People of 一警三专N员: logins and roles, the roster, posts, staffing coverage, trainings and
phone spot checks."""
