/* clock.h - the wall clock, in one place: line times, event times and JSON
 * stamps. (Timers use the loop's monotonic uv_now; the pure core takes time
 * as a parameter and reads no clock at all.) */
#ifndef CORRAL_CLOCK_H
#define CORRAL_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch (CLOCK_REALTIME). */
uint64_t clock_wall_ms(void);

#endif
