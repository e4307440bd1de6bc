// Included into extmod/modtime.c (MICROPY_PY_TIME_INCLUDEFILE): time.time(),
// time.gmtime()/localtime() from the board's wall clock (modqemu_m3.c: the
// host's time at power-on, or what set_time_ns() set, plus the instruction clock).
#include "shared/timeutils/timeutils.h"

uint64_t mp_hal_time_ns(void);

static mp_obj_t mp_time_time_get(void) {
    return mp_obj_new_int_from_ull(mp_hal_time_ns() / 1000000000u);
}

static void mp_time_localtime_get(timeutils_struct_time_t *tm) {
    timeutils_seconds_since_epoch_to_struct_time(mp_hal_time_ns() / 1000000000u, tm);
}
