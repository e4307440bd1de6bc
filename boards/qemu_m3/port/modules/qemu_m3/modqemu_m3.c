// hcdaudit's emulated board (QEMU mps2-an385, a Cortex-M3): what the stock
// qemu port lacks and a real board has in hardware. Module `qemu_m3`:
//   instructions()       the instruction count since power-on (-icount shift=0:
//                         1 instruction = 1 ns of virtual time; 40-instruction steps)
//   cut_power_at(n)      end QEMU (a power cut) when the count reaches n; 0 disarms
//   set_time_ns(ns)      set the wall clock (UTC ns since 1970), as NTP sets an RTC
//   ram(offset, size)    a memoryview of the board's spare SRAM (SSRAM2/3)
//   RamFlash(offset, block_size, block_count)       NOR flash in the spare SRAM
//   HostFlash(path, block_size, block_count, prog)  NOR flash in a host file
//   HostMemory(path, size, chunk)                    FRAM-like NV memory in a host file
//   HostFile(path, mode), host_remove(), host_rename()  host files (boards/qemu_m3/hostfs.py)
// plus time.time_ns()/gmtime() (modtime_board.c) and os.urandom (below).
//
// Host files go through ARM semihosting, so they outlive QEMU: a power cut
// (QEMU ended at an instruction count) leaves them as a real part would be.
// Writes are issued in `prog`/`chunk`-sized pieces so a cut can tear one.
#include <string.h>

#include "py/runtime.h"
#include "py/mphal.h"
#include "py/objarray.h"
#include "py/mperrno.h"
#include "lib/crypto-algorithms/sha256.h"

// ---------------------------------------------------------------- memory map
// SSRAM1 (0x00000000, 4 MiB) holds code, heap and stack. SSRAM2/3
// (0x20000000, 4 MiB; QEMU mirrors it above, so 0x20400000 is 0x20000000 again)
// is not used by the linker script; the board owns it:
#define BOARD_RAM_BASE      (0x20000000u)
#define BOARD_RAM_SIZE      (0x00400000u)
// its first 64 bytes are the power-on block the host writes with QEMU's loader
// (tests/mcu/qemu.py): 32 bytes of entropy, then the wall clock at power-on.
#define BOOT_SEED           ((const uint8_t *)BOARD_RAM_BASE)
#define BOOT_UNIX_NS        ((const volatile uint32_t *)(BOARD_RAM_BASE + 32))
#define BOARD_RAM_USER      (0x1000u)   // ram() offsets start after the boot page

// ---------------------------------------------------------------- clock
#define SYSTICK_RVR (*(volatile uint32_t *)0xE000E014)
#define SYSTICK_CVR (*(volatile uint32_t *)0xE000E018)
#define NS_PER_SYSTICK (40u)            // SysTick runs on the 25 MHz system clock

uintptr_t ticks_ms(void);               // ports/qemu/mcu/arm/ticks.c

static uint64_t board_ns(void) {
    uint32_t ms, cvr;
    do {
        ms = ticks_ms();
        cvr = SYSTICK_CVR;
    } while (ms != ticks_ms());
    return (uint64_t)ms * 1000000u + (uint64_t)(SYSTICK_RVR - cvr) * NS_PER_SYSTICK;
}

static int64_t wall_offset_ns;          // set_time_ns(): wall clock minus board_ns()
static bool wall_set;

uint64_t mp_hal_time_ns(void) {
    if (!wall_set) {
        wall_offset_ns = (int64_t)(((uint64_t)BOOT_UNIX_NS[1] << 32) | BOOT_UNIX_NS[0]);
        wall_set = true;
    }
    return (uint64_t)(wall_offset_ns + (int64_t)board_ns());
}

static mp_obj_t qemu_m3_instructions(void) {
    return mp_obj_new_int_from_ull(board_ns());
}
static MP_DEFINE_CONST_FUN_OBJ_0(qemu_m3_instructions_obj, qemu_m3_instructions);

static mp_obj_t qemu_m3_set_time_ns(mp_obj_t ns_in) {
    uint64_t ns = mp_obj_int_get_uint_checked(ns_in);
    wall_set = true;
    wall_offset_ns = (int64_t)ns - (int64_t)board_ns();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(qemu_m3_set_time_ns_obj, qemu_m3_set_time_ns);

// ---------------------------------------------------------------- power cut
// CMSDK APB timer 0 (IRQ 8 on AN385) counts the same 25 MHz clock down to 0;
// its interrupt ends QEMU at once through semihosting, like pulling the plug.
#define TIMER0_CTRL   (*(volatile uint32_t *)0x40000000)
#define TIMER0_VALUE  (*(volatile uint32_t *)0x40000004)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008)
#define TIMER0_INTCLR (*(volatile uint32_t *)0x4000000C)
#define TIMER0_IRQ    (8)
#define NVIC_ISER0    (*(volatile uint32_t *)0xE000E100)
#define NVIC_ICER0    (*(volatile uint32_t *)0xE000E180)
#define SCB_VTOR      (*(volatile uint32_t *)0xE000ED08)
#define POWER_CUT_EXIT_STATUS (0x5c)    // QEMU's exit status after a cut (tests/mcu/qemu.py)

static int32_t semihost(uint32_t op, const void *args);

static void power_cut_handler(void) {
    // SYS_EXIT_EXTENDED: "application exit" with our status, so the host can
    // tell a cut from a crash
    static const uint32_t args[2] = {0x20026, POWER_CUT_EXIT_STATUS};
    semihost(0x20, args);
    for (;;) {
    }
}

// The port's vector table has the 16 core entries only: a copy with the timer's.
static uint32_t vector_table[16 + 32] __attribute__((aligned(256)));

static mp_obj_t qemu_m3_cut_power_at(mp_obj_t count_in) {
    uint64_t at = mp_obj_int_get_uint_checked(count_in);
    TIMER0_CTRL = 0;
    TIMER0_INTCLR = 1;
    NVIC_ICER0 = 1u << TIMER0_IRQ;
    if (at == 0) {
        return mp_const_none;
    }
    uint64_t now = board_ns();
    uint64_t ticks = at > now ? (at - now) / NS_PER_SYSTICK : 1;
    if (ticks == 0) {
        ticks = 1;
    }
    if (ticks > 0xffffffffu) {
        mp_raise_ValueError(MP_ERROR_TEXT("cut too far ahead"));
    }
    if (SCB_VTOR != (uint32_t)vector_table) {
        memcpy(vector_table, (const void *)SCB_VTOR, 16 * sizeof(uint32_t));
        vector_table[16 + TIMER0_IRQ] = (uint32_t)power_cut_handler;
        SCB_VTOR = (uint32_t)vector_table;
    }
    TIMER0_RELOAD = 0;
    TIMER0_VALUE = (uint32_t)ticks;
    NVIC_ISER0 = 1u << TIMER0_IRQ;
    TIMER0_CTRL = 1u | 8u;              // enable, interrupt enable
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(qemu_m3_cut_power_at_obj, qemu_m3_cut_power_at);

// ---------------------------------------------------------------- os.urandom
// The emulated board has no TRNG. STAND-IN: a SHA-256 counter-mode generator
// over the 32 bytes of entropy the host puts in the power-on block (from its
// own os.urandom; a fixed seed where a run must be reproducible). A real board
// uses its TRNG (RP2350, STM32 RNG) or the port's seeded PRNG instead.
// Linked in place of the port's LCG with --wrap=mp_hal_get_random.
static uint32_t random_counter;

void __wrap_mp_hal_get_random(size_t n, uint8_t *buf) {
    uint8_t block[32];
    while (n > 0) {
        CRYAL_SHA256_CTX ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, BOOT_SEED, 32);
        sha256_update(&ctx, (const uint8_t *)&random_counter, sizeof(random_counter));
        sha256_final(&ctx, block);
        random_counter++;
        size_t take = n < 32 ? n : 32;
        memcpy(buf, block, take);
        buf += take;
        n -= take;
    }
}

// ---------------------------------------------------------------- spare SRAM
static void check_ram_range(mp_int_t offset, mp_int_t size) {
    if (offset < (mp_int_t)BOARD_RAM_USER || size < 0 || (mp_uint_t)(offset + size) > BOARD_RAM_SIZE) {
        mp_raise_ValueError(MP_ERROR_TEXT("outside the board's spare SRAM"));
    }
}

static mp_obj_t qemu_m3_ram(mp_obj_t offset_in, mp_obj_t size_in) {
    mp_int_t offset = mp_obj_get_int(offset_in);
    mp_int_t size = mp_obj_get_int(size_in);
    check_ram_range(offset, size);
    return mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, size, (void *)(BOARD_RAM_BASE + offset));
}
static MP_DEFINE_CONST_FUN_OBJ_2(qemu_m3_ram_obj, qemu_m3_ram);

// ---------------------------------------------------------------- semihosting files
#define SYS_OPEN  (0x01)
#define SYS_CLOSE (0x02)
#define SYS_WRITE (0x05)
#define SYS_READ  (0x06)
#define SYS_SEEK  (0x0a)
#define SYS_FLEN  (0x0c)
#define MODE_RPLUS_B (3)
#define MODE_WPLUS_B (7)

static int32_t semihost(uint32_t op, const void *args) {
    register uint32_t r0 __asm__ ("r0") = op;
    register const void *r1 __asm__ ("r1") = args;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    return (int32_t)r0;
}

static int32_t host_open(const char *path, uint32_t mode) {
    uint32_t args[3] = {(uint32_t)path, mode, strlen(path)};
    return semihost(SYS_OPEN, args);
}

static void host_io(int32_t handle, uint32_t pos, void *buf, uint32_t len, bool write) {
    uint32_t seek[2] = {(uint32_t)handle, pos};
    uint32_t rw[3] = {(uint32_t)handle, (uint32_t)buf, len};
    if (semihost(SYS_SEEK, seek) != 0 || semihost(write ? SYS_WRITE : SYS_READ, rw) != 0) {
        mp_raise_OSError(MP_EIO);
    }
}

// A host file of exactly `size` bytes, created filled with `fill` if missing or short.
static int32_t host_file(const char *path, uint32_t size, uint8_t fill) {
    int32_t handle = host_open(path, MODE_RPLUS_B);
    if (handle == -1) {
        handle = host_open(path, MODE_WPLUS_B);
    }
    if (handle == -1) {
        mp_raise_OSError(MP_ENOENT);
    }
    uint32_t flen[1] = {(uint32_t)handle};
    int32_t have = semihost(SYS_FLEN, flen);
    if (have < 0) {
        have = 0;
    }
    uint8_t block[256];
    memset(block, fill, sizeof(block));
    for (uint32_t pos = (uint32_t)have; pos < size;) {
        uint32_t n = size - pos < sizeof(block) ? size - pos : sizeof(block);
        host_io(handle, pos, block, n, true);
        pos += n;
    }
    return handle;
}

// ---------------------------------------------------------------- NOR flash
// Erase sets a block to 0xFF; programming only clears bits (new = old AND data).
typedef struct _flash_obj_t {
    mp_obj_base_t base;
    uint32_t block_size;
    uint32_t block_count;
    uint32_t prog;          // bytes per host write (a cut can tear between them)
    int32_t handle;         // host file, or -1
    uint8_t *ram;           // spare SRAM, or NULL
} flash_obj_t;

static void flash_check(flash_obj_t *self, mp_int_t block, mp_int_t offset, size_t len) {
    if (block < 0 || (uint32_t)block >= self->block_count || offset < 0
        || (uint64_t)block * self->block_size + (uint64_t)offset + len > (uint64_t)self->block_count * self->block_size) {
        mp_raise_OSError(MP_EINVAL);
    }
}

static void flash_program(flash_obj_t *self, uint32_t pos, const uint8_t *data, size_t len, bool erase) {
    if (self->ram != NULL) {
        for (size_t i = 0; i < len; ++i) {
            self->ram[pos + i] = erase ? 0xff : (self->ram[pos + i] & data[i]);
        }
        return;
    }
    uint8_t chunk[256];
    while (len > 0) {
        size_t n = len < self->prog ? len : self->prog;
        if (erase) {
            memset(chunk, 0xff, n);
        } else {
            host_io(self->handle, pos, chunk, n, false);
            for (size_t i = 0; i < n; ++i) {
                chunk[i] &= data[i];
            }
            data += n;
        }
        host_io(self->handle, pos, chunk, n, true);
        pos += n;
        len -= n;
    }
}

static mp_obj_t flash_readblocks(size_t n_args, const mp_obj_t *args) {
    flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t block = mp_obj_get_int(args[1]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_WRITE);
    mp_int_t offset = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    flash_check(self, block, offset, buf.len);
    uint32_t pos = (uint32_t)block * self->block_size + (uint32_t)offset;
    if (self->ram != NULL) {
        memcpy(buf.buf, self->ram + pos, buf.len);
    } else {
        host_io(self->handle, pos, buf.buf, buf.len, false);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(flash_readblocks_obj, 3, 4, flash_readblocks);

static mp_obj_t flash_writeblocks(size_t n_args, const mp_obj_t *args) {
    flash_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t block = mp_obj_get_int(args[1]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, MP_BUFFER_READ);
    bool simple = n_args < 4 || args[3] == mp_const_none;
    mp_int_t offset = simple ? 0 : mp_obj_get_int(args[3]);
    flash_check(self, block, offset, buf.len);
    uint32_t pos = (uint32_t)block * self->block_size + (uint32_t)offset;
    if (simple) {   // the simple protocol: whole blocks, erase implied
        flash_program(self, pos, NULL, buf.len, true);
    }
    flash_program(self, pos, buf.buf, buf.len, false);
    return MP_OBJ_NEW_SMALL_INT(0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(flash_writeblocks_obj, 3, 4, flash_writeblocks);

static mp_obj_t flash_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    flash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (mp_obj_get_int(op_in)) {
        case 4:
            return MP_OBJ_NEW_SMALL_INT(self->block_count);
        case 5:
            return MP_OBJ_NEW_SMALL_INT(self->block_size);
        case 6: {
            mp_int_t block = mp_obj_get_int(arg_in);
            flash_check(self, block, 0, self->block_size);
            flash_program(self, (uint32_t)block * self->block_size, NULL, self->block_size, true);
            return MP_OBJ_NEW_SMALL_INT(0);
        }
        default:
            return MP_OBJ_NEW_SMALL_INT(0);
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(flash_ioctl_obj, flash_ioctl);

static const mp_rom_map_elem_t flash_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&flash_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&flash_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&flash_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(flash_locals_dict, flash_locals_dict_table);

static flash_obj_t *flash_new(const mp_obj_type_t *type, mp_obj_t size_in, mp_obj_t count_in) {
    flash_obj_t *self = mp_obj_malloc(flash_obj_t, type);
    self->block_size = mp_obj_get_int(size_in);
    self->block_count = mp_obj_get_int(count_in);
    if (self->block_size < 128 || self->block_size & (self->block_size - 1) || self->block_count < 2) {
        mp_raise_ValueError(MP_ERROR_TEXT("geometry"));
    }
    self->handle = -1;
    self->ram = NULL;
    self->prog = 32;
    return self;
}

// RamFlash(offset, block_size, block_count): in the spare SRAM, lost at power-off.
static mp_obj_t ram_flash_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 3, 3, false);
    flash_obj_t *self = flash_new(type, args[1], args[2]);
    mp_int_t offset = mp_obj_get_int(args[0]);
    check_ram_range(offset, (mp_int_t)self->block_size * self->block_count);
    self->ram = (uint8_t *)(BOARD_RAM_BASE + offset);
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_OBJ_TYPE(ram_flash_type, MP_QSTR_RamFlash, MP_TYPE_FLAG_NONE,
    make_new, ram_flash_make_new, locals_dict, &flash_locals_dict);

// HostFlash(path, block_size, block_count, prog=32): a host file, kept across power cuts.
static mp_obj_t host_flash_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 3, 4, false);
    flash_obj_t *self = flash_new(type, args[1], args[2]);
    if (n_args > 3) {
        self->prog = mp_obj_get_int(args[3]);
        if (self->prog < 1 || self->prog > 256) {
            mp_raise_ValueError(MP_ERROR_TEXT("prog"));
        }
    }
    self->handle = host_file(mp_obj_str_get_str(args[0]), self->block_size * self->block_count, 0xff);
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_OBJ_TYPE(host_flash_type, MP_QSTR_HostFlash, MP_TYPE_FLAG_NONE,
    make_new, host_flash_make_new, locals_dict, &flash_locals_dict);

// ---------------------------------------------------------------- NV memory
// HostMemory(path, size, chunk=8): byte-addressable NV memory in a host file
// (the core's NV interface: .size, read_into(offset, buf), write(offset, data));
// bytes land in `chunk`-sized pieces, as FRAM commits bytes as they are clocked in.
typedef struct _memory_obj_t {
    mp_obj_base_t base;
    uint32_t size;
    uint32_t chunk;
    int32_t handle;
} memory_obj_t;

static void memory_check(memory_obj_t *self, mp_int_t offset, size_t len) {
    if (offset < 0 || (uint64_t)offset + len > self->size) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("beyond the NV memory's end"));
    }
}

static mp_obj_t memory_read_into(mp_obj_t self_in, mp_obj_t offset_in, mp_obj_t buf_in) {
    memory_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_int_t offset = mp_obj_get_int(offset_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_WRITE);
    memory_check(self, offset, buf.len);
    host_io(self->handle, offset, buf.buf, buf.len, false);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(memory_read_into_obj, memory_read_into);

static mp_obj_t memory_write(mp_obj_t self_in, mp_obj_t offset_in, mp_obj_t data_in) {
    memory_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_int_t offset = mp_obj_get_int(offset_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(data_in, &buf, MP_BUFFER_READ);
    memory_check(self, offset, buf.len);
    const uint8_t *data = buf.buf;
    for (size_t done = 0; done < buf.len;) {
        size_t n = buf.len - done < self->chunk ? buf.len - done : self->chunk;
        host_io(self->handle, offset + done, (void *)(data + done), n, true);
        done += n;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(memory_write_obj, memory_write);

static void memory_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    memory_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_size) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->size);
    } else {
        dest[1] = MP_OBJ_SENTINEL;      // look in locals_dict
    }
}

static const mp_rom_map_elem_t memory_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read_into), MP_ROM_PTR(&memory_read_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&memory_write_obj) },
};
static MP_DEFINE_CONST_DICT(memory_locals_dict, memory_locals_dict_table);

static mp_obj_t host_memory_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 2, 3, false);
    memory_obj_t *self = mp_obj_malloc(memory_obj_t, type);
    self->size = mp_obj_get_int(args[1]);
    self->chunk = n_args > 2 ? mp_obj_get_int(args[2]) : 8;
    if (self->chunk < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("chunk"));
    }
    self->handle = host_file(mp_obj_str_get_str(args[0]), self->size, 0);
    return MP_OBJ_FROM_PTR(self);
}
static MP_DEFINE_CONST_OBJ_TYPE(host_memory_type, MP_QSTR_HostMemory, MP_TYPE_FLAG_NONE,
    make_new, host_memory_make_new, attr, memory_attr, locals_dict, &memory_locals_dict);

// ---------------------------------------------------------------- host files
// HostFile(path, mode): a host file as a stream (read, readinto, write, seek,
// tell, flush, close), for boards/qemu_m3/hostfs.py: the test harness's work
// files (tests/mcu/heap.py), which on a real board would be its parts.
#define SYS_REMOVE (0x0e)
#define SYS_RENAME (0x0f)

typedef struct _hostfile_obj_t {
    mp_obj_base_t base;
    int32_t handle;
    uint32_t pos;
    bool append;
} hostfile_obj_t;

static hostfile_obj_t *hostfile_open(mp_obj_t self_in) {
    hostfile_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->handle == -1) {
        mp_raise_ValueError(MP_ERROR_TEXT("I/O operation on closed file"));
    }
    return self;
}

static int32_t hostfile_length(hostfile_obj_t *self) {
    uint32_t args[1] = {(uint32_t)self->handle};
    int32_t n = semihost(SYS_FLEN, args);
    if (n < 0) {
        mp_raise_OSError(MP_EIO);
    }
    return n;
}

static mp_obj_t hostfile_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 2, false);
    const char *mode = n_args > 1 ? mp_obj_str_get_str(args[1]) : "r";
    uint32_t code;
    bool plus = strchr(mode, '+') != NULL;
    switch (mode[0]) {
        case 'r':
            code = plus ? 2 : 0;
            break;
        case 'w':
            code = plus ? 6 : 4;
            break;
        case 'a':
            code = plus ? 10 : 8;
            break;
        default:
            mp_raise_ValueError(MP_ERROR_TEXT("mode"));
    }
    code |= 1;      // binary: the board's files are bytes
    hostfile_obj_t *self = mp_obj_malloc(hostfile_obj_t, type);
    self->handle = host_open(mp_obj_str_get_str(args[0]), code);
    if (self->handle == -1) {
        mp_raise_OSError(MP_ENOENT);
    }
    self->pos = 0;
    self->append = mode[0] == 'a';
    return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t hostfile_readinto(mp_obj_t self_in, mp_obj_t buf_in) {
    hostfile_obj_t *self = hostfile_open(self_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_WRITE);
    int32_t size = hostfile_length(self);
    uint32_t n = self->pos >= (uint32_t)size ? 0 : (uint32_t)size - self->pos;
    if (n > buf.len) {
        n = buf.len;
    }
    if (n) {
        host_io(self->handle, self->pos, buf.buf, n, false);
        self->pos += n;
    }
    return MP_OBJ_NEW_SMALL_INT(n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(hostfile_readinto_obj, hostfile_readinto);

static mp_obj_t hostfile_read(size_t n_args, const mp_obj_t *args) {
    hostfile_obj_t *self = hostfile_open(args[0]);
    int32_t size = hostfile_length(self);
    mp_int_t n = self->pos >= (uint32_t)size ? 0 : (uint32_t)size - self->pos;
    if (n_args > 1 && args[1] != mp_const_none) {
        mp_int_t want = mp_obj_get_int(args[1]);
        if (want >= 0 && want < n) {
            n = want;
        }
    }
    vstr_t vstr;
    vstr_init_len(&vstr, n);
    if (n) {
        host_io(self->handle, self->pos, vstr.buf, n, false);
        self->pos += n;
    }
    return mp_obj_new_bytes_from_vstr(&vstr);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(hostfile_read_obj, 1, 2, hostfile_read);

static mp_obj_t hostfile_write(mp_obj_t self_in, mp_obj_t buf_in) {
    hostfile_obj_t *self = hostfile_open(self_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_READ);
    if (self->append) {
        self->pos = hostfile_length(self);
    }
    if (buf.len) {
        host_io(self->handle, self->pos, buf.buf, buf.len, true);
        self->pos += buf.len;
    }
    return MP_OBJ_NEW_SMALL_INT(buf.len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(hostfile_write_obj, hostfile_write);

static mp_obj_t hostfile_seek(size_t n_args, const mp_obj_t *args) {
    hostfile_obj_t *self = hostfile_open(args[0]);
    mp_int_t offset = mp_obj_get_int(args[1]);
    mp_int_t whence = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    mp_int_t base = whence == 0 ? 0 : whence == 1 ? (mp_int_t)self->pos : hostfile_length(self);
    if (base + offset < 0) {
        mp_raise_OSError(MP_EINVAL);
    }
    self->pos = base + offset;
    return mp_obj_new_int_from_uint(self->pos);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(hostfile_seek_obj, 2, 3, hostfile_seek);

static mp_obj_t hostfile_tell(mp_obj_t self_in) {
    return mp_obj_new_int_from_uint(hostfile_open(self_in)->pos);
}
static MP_DEFINE_CONST_FUN_OBJ_1(hostfile_tell_obj, hostfile_tell);

static mp_obj_t hostfile_flush(mp_obj_t self_in) {
    hostfile_open(self_in);     // each write is already the host's
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(hostfile_flush_obj, hostfile_flush);

static mp_obj_t hostfile_close(mp_obj_t self_in) {
    hostfile_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->handle != -1) {
        uint32_t args[1] = {(uint32_t)self->handle};
        semihost(SYS_CLOSE, args);
        self->handle = -1;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(hostfile_close_obj, hostfile_close);

static mp_obj_t hostfile_exit(size_t n_args, const mp_obj_t *args) {
    return hostfile_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(hostfile_exit_obj, 4, 4, hostfile_exit);

static mp_obj_t hostfile_enter(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(hostfile_enter_obj, hostfile_enter);

static const mp_rom_map_elem_t hostfile_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&hostfile_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&hostfile_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&hostfile_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_seek), MP_ROM_PTR(&hostfile_seek_obj) },
    { MP_ROM_QSTR(MP_QSTR_tell), MP_ROM_PTR(&hostfile_tell_obj) },
    { MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&hostfile_flush_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&hostfile_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&hostfile_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&hostfile_enter_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&hostfile_exit_obj) },
};
static MP_DEFINE_CONST_DICT(hostfile_locals_dict, hostfile_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(hostfile_type, MP_QSTR_HostFile, MP_TYPE_FLAG_NONE,
    make_new, hostfile_make_new, locals_dict, &hostfile_locals_dict);

static mp_obj_t qemu_m3_host_remove(mp_obj_t path_in) {
    const char *path = mp_obj_str_get_str(path_in);
    uint32_t args[2] = {(uint32_t)path, strlen(path)};
    if (semihost(SYS_REMOVE, args) != 0) {
        mp_raise_OSError(MP_ENOENT);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(qemu_m3_host_remove_obj, qemu_m3_host_remove);

static mp_obj_t qemu_m3_host_rename(mp_obj_t old_in, mp_obj_t new_in) {
    const char *old = mp_obj_str_get_str(old_in);
    const char *new = mp_obj_str_get_str(new_in);
    uint32_t args[4] = {(uint32_t)old, strlen(old), (uint32_t)new, strlen(new)};
    if (semihost(SYS_RENAME, args) != 0) {
        mp_raise_OSError(MP_EIO);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(qemu_m3_host_rename_obj, qemu_m3_host_rename);

// ---------------------------------------------------------------- module
static const mp_rom_map_elem_t qemu_m3_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_qemu_m3) },
    { MP_ROM_QSTR(MP_QSTR_instructions), MP_ROM_PTR(&qemu_m3_instructions_obj) },
    { MP_ROM_QSTR(MP_QSTR_cut_power_at), MP_ROM_PTR(&qemu_m3_cut_power_at_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_time_ns), MP_ROM_PTR(&qemu_m3_set_time_ns_obj) },
    { MP_ROM_QSTR(MP_QSTR_ram), MP_ROM_PTR(&qemu_m3_ram_obj) },
    { MP_ROM_QSTR(MP_QSTR_RamFlash), MP_ROM_PTR(&ram_flash_type) },
    { MP_ROM_QSTR(MP_QSTR_HostFlash), MP_ROM_PTR(&host_flash_type) },
    { MP_ROM_QSTR(MP_QSTR_HostMemory), MP_ROM_PTR(&host_memory_type) },
    { MP_ROM_QSTR(MP_QSTR_HostFile), MP_ROM_PTR(&hostfile_type) },
    { MP_ROM_QSTR(MP_QSTR_host_remove), MP_ROM_PTR(&qemu_m3_host_remove_obj) },
    { MP_ROM_QSTR(MP_QSTR_host_rename), MP_ROM_PTR(&qemu_m3_host_rename_obj) },
    { MP_ROM_QSTR(MP_QSTR_RAM_SIZE), MP_ROM_INT(BOARD_RAM_SIZE) },
    { MP_ROM_QSTR(MP_QSTR_POWER_CUT_EXIT_STATUS), MP_ROM_INT(POWER_CUT_EXIT_STATUS) },
};
static MP_DEFINE_CONST_DICT(qemu_m3_globals, qemu_m3_globals_table);

const mp_obj_module_t qemu_m3_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&qemu_m3_globals,
};

MP_REGISTER_MODULE(MP_QSTR_qemu_m3, qemu_m3_module);
