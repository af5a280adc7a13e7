# Django's zh-Hans formats group no digits, so intcomma printed 13934. Statistical tables
# in Chinese government documents group by thousands: 13,934. Only `intcomma` and explicit
# grouping use this (USE_THOUSAND_SEPARATOR stays off, so ids and years print plainly).
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
