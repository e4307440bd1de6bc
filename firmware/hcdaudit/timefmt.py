# UTC civil time from microseconds since 1970, computed by hand: time.gmtime
# differs between runtimes (2000 epoch on some ports), exports must not.


def civil(time_us):
    """(year, month, day, hour, minute, second, microsecond) in UTC."""
    seconds, micros = divmod(time_us, 1000000)
    days, rem = divmod(seconds, 86400)
    # Inverse of days-from-civil (H. Hinnant's algorithm), valid for the proleptic Gregorian calendar.
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return year, month, day, rem // 3600, rem % 3600 // 60, rem % 60, micros


def rfc3339(time_us):
    """e.g. 2026-11-23T07:00:05.000000Z"""
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % civil(time_us)
