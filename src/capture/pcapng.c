/* pcapng blocks, read with the cursor (draft-ietf-opsawg-pcapng sections 3 and 4): Section
 * Header, Interface Description, Enhanced, Simple and the obsolete Packet Block. Other block
 * types are skipped, as section 3.1 allows. */
#include "capture/pcapng.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_OPB 0x00000002u /* obsolete Packet Block (appendix A) */
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define BYTE_ORDER_MAGIC_SWAPPED 0x4D3C2B1Au
#define OPT_ENDOFOPT 0
#define IF_TSRESOL 9
#define IF_TSOFFSET 14
/* block type, block total length ... block total length */
#define BLOCK_OVERHEAD 12u
/* LINKTYPE_RAW is DLT_RAW (12 on Linux) for libpcap; pcap_compile knows only the latter
 * (libpcap's linktype_to_dlt() maps it the same way). */
#define LINKTYPE_RAW 101
#define DLT_RAW_LINUX 12
#define BLOCK_BUFFER_START (64 * 1024)
#define MICROS 1000000u

struct interface {
    int dlt;
    uint32_t snaplen;     /* 0: no limit */
    uint64_t units;       /* timestamp units per second; 0: unusable, its packets skipped */
    int64_t offset_sec;   /* if_tsoffset */
};

enum block_step {
    BLOCK_READ,
    BLOCK_SKIPPED, /* counted: the next block can still be found */
    BLOCK_END,
    BLOCK_TRUNCATED,
    BLOCK_ERROR,
    BLOCK_SCAN_STOP, /* pcapng_scan(): a packet block, or the scan's limit */
};

struct pcapng_reader {
    FILE *fp;
    bool little_endian; /* of the current section */
    bool have_section;
    bool skip_section;  /* a version we do not know: its blocks are skipped */
    uint64_t offset;    /* bytes read from fp */
    struct interface *ifs;
    size_t n_ifs;
    size_t cap_ifs;
    uint8_t *block;
    size_t block_cap;
    bool scanning;
    bool out_of_memory;
    uint8_t *record; /* pcapng_scan(): every byte read */
    size_t record_len;
    size_t record_cap;
    struct pcapng_counters counters;
    char reason[160];
};

static bool get16(struct cursor *c, bool le, uint16_t *v)
{
    uint16_t be;
    if (!cur_get_u16(c, &be)) {
        return false;
    }
    *v = le ? __builtin_bswap16(be) : be;
    return true;
}

static bool get32(struct cursor *c, bool le, uint32_t *v)
{
    uint32_t be;
    if (!cur_get_u32(c, &be)) {
        return false;
    }
    *v = le ? __builtin_bswap32(be) : be;
    return true;
}

/* Two 32-bit halves in section order: the most significant first when big-endian. */
static bool get64(struct cursor *c, bool le, uint64_t *v)
{
    uint32_t first;
    uint32_t second;
    struct cursor probe = *c;
    if (!get32(&probe, le, &first) || !get32(&probe, le, &second)) {
        return false;
    }
    *c = probe;
    *v = le ? (uint64_t)second << 32 | first : (uint64_t)first << 32 | second;
    return true;
}

struct pcapng_reader *pcapng_open(FILE *fp)
{
    struct pcapng_reader *r = calloc(1, sizeof(*r));
    if (r != NULL) {
        r->fp = fp;
    }
    return r;
}

void pcapng_close(struct pcapng_reader *r)
{
    if (r == NULL) {
        return;
    }
    free(r->ifs);
    /* a Decryption Secrets Block passes through these buffers (secrets.h) */
    if (r->block != NULL) {
        OPENSSL_cleanse(r->block, r->block_cap);
    }
    if (r->record != NULL) {
        OPENSSL_cleanse(r->record, r->record_len);
    }
    free(r->block);
    free(r->record);
    free(r);
}

const char *pcapng_stop_reason(const struct pcapng_reader *r)
{
    return r->reason;
}

const struct pcapng_counters *pcapng_counters(const struct pcapng_reader *r)
{
    return &r->counters;
}

static bool record_bytes(struct pcapng_reader *r, const uint8_t *p, size_t n)
{
    if (r->record_len + n > r->record_cap) {
        size_t cap = r->record_cap == 0 ? 4096 : r->record_cap;
        while (cap < r->record_len + n) {
            cap *= 2;
        }
        uint8_t *grown = realloc(r->record, cap);
        if (grown == NULL) {
            return false;
        }
        r->record = grown;
        r->record_cap = cap;
    }
    memcpy(r->record + r->record_len, p, n);
    r->record_len += n;
    return true;
}

/* Reads n bytes into the block buffer at `at`. The buffer grows only once the bytes already
 * asked for have come, so a block length that lies costs at most twice what the file holds.
 * Returns the bytes read; fewer at end of file, or on error (errno). */
static size_t read_block_bytes(struct pcapng_reader *r, size_t at, size_t n)
{
    size_t done = 0;
    while (done < n) {
        if (at + done == r->block_cap) {
            size_t cap = r->block_cap == 0 ? BLOCK_BUFFER_START : r->block_cap * 2;
            cap = cap > PCAPNG_BLOCK_MAX ? PCAPNG_BLOCK_MAX : cap;
            uint8_t *grown = cap > r->block_cap ? realloc(r->block, cap) : NULL;
            if (grown == NULL) {
                r->out_of_memory = true;
                errno = ENOMEM;
                return done;
            }
            r->block = grown;
            r->block_cap = cap;
        }
        size_t want = n - done;
        size_t room = r->block_cap - (at + done);
        want = want < room ? want : room;
        size_t got = fread(r->block + at + done, 1, want, r->fp);
        if (r->scanning && !record_bytes(r, r->block + at + done, got)) {
            r->out_of_memory = true;
            errno = ENOMEM;
            return done;
        }
        done += got;
        r->offset += got;
        if (got < want) {
            break;
        }
    }
    return done;
}

__attribute__((format(printf, 3, 4))) static enum block_step
stop(struct pcapng_reader *r, uint64_t at, const char *fmt, ...)
{
    char why[112];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(r->reason, sizeof(r->reason), "pcapng: block at offset %" PRIu64 ": %s", at, why);
    return BLOCK_TRUNCATED;
}

static bool is_packet_block(uint32_t type)
{
    return type == BT_EPB || type == BT_SPB || type == BT_OPB;
}

/* Reads the next block; *body is what lies between its length fields. */
static enum block_step read_block(struct pcapng_reader *r, uint32_t *type, struct cursor *body)
{
    uint64_t at = r->offset;
    size_t have = read_block_bytes(r, 0, 8);
    if (have < 8) {
        if (ferror(r->fp) || r->out_of_memory) {
            return BLOCK_ERROR;
        }
        return have == 0 ? BLOCK_END : stop(r, at, "truncated file: cut in its header");
    }
    struct cursor head = cur_make(r->block, 8);
    uint32_t raw_type;
    if (!cur_get_u32(&head, &raw_type)) {
        return BLOCK_ERROR;
    }
    if (raw_type == BT_SHB) {
        /* The byte order is the section's: read from the magic after the length. */
        uint32_t magic;
        struct cursor m;
        if (read_block_bytes(r, 8, 4) < 4) {
            return ferror(r->fp) || r->out_of_memory
                       ? BLOCK_ERROR
                       : stop(r, at, "truncated file: cut before the byte-order magic");
        }
        m = cur_make(r->block + 8, 4);
        if (!cur_get_u32(&m, &magic)) {
            return BLOCK_ERROR;
        }
        if (magic != BYTE_ORDER_MAGIC && magic != BYTE_ORDER_MAGIC_SWAPPED) {
            return stop(r, at, "byte-order magic 0x%08" PRIx32 ", expected 0x1a2b3c4d", magic);
        }
        r->little_endian = magic == BYTE_ORDER_MAGIC_SWAPPED;
        have = 12;
    } else if (!r->have_section) {
        return stop(r, at, "block type 0x%08" PRIx32 " before any section header", raw_type);
    }
    uint32_t len;
    head = cur_make(r->block, 8);
    if (!get32(&head, r->little_endian, type) || !get32(&head, r->little_endian, &len)) {
        return BLOCK_ERROR;
    }
    if (len < BLOCK_OVERHEAD || len % 4 != 0 || len > PCAPNG_BLOCK_MAX) {
        return stop(r, at, "length %" PRIu32 " is not a block's (12 to %u, a multiple of 4)", len,
                    PCAPNG_BLOCK_MAX);
    }
    if (r->scanning && (is_packet_block(*type) || r->offset + (len - have) > PCAPNG_SCAN_MAX)) {
        return BLOCK_SCAN_STOP;
    }
    size_t got = read_block_bytes(r, have, len - have);
    if (got < len - have) {
        if (ferror(r->fp) || r->out_of_memory) {
            return BLOCK_ERROR;
        }
        return stop(r, at, "truncated file: the block claims %" PRIu32 " bytes, %zu follow", len,
                    have + got);
    }
    struct cursor whole = cur_make(r->block, len);
    uint32_t len2;
    if (!cur_skip(&whole, 8) || !cur_get_bytes(&whole, len - BLOCK_OVERHEAD, body) ||
        !get32(&whole, r->little_endian, &len2)) {
        return BLOCK_ERROR;
    }
    if (len2 != len) {
        r->counters.bad_blocks++;
        if (*type == BT_SHB) {
            /* its byte order is taken, but nothing else of it: the section is skipped */
            r->have_section = true;
            r->skip_section = true;
            r->n_ifs = 0;
        }
        return BLOCK_SKIPPED;
    }
    return BLOCK_READ;
}

/* Section 4.1: byte-order magic, major and minor version, section length, options. A new
 * section forgets the interfaces of the last one. */
static void section_header(struct pcapng_reader *r, struct cursor body)
{
    uint16_t major;
    r->n_ifs = 0;
    r->have_section = true;
    r->skip_section = false;
    if (!cur_skip(&body, 4) || !get16(&body, r->little_endian, &major) ||
        !cur_skip(&body, 2 + 8)) {
        r->counters.bad_blocks++;
        r->skip_section = true;
        return;
    }
    if (major != 1) {
        r->counters.bad_blocks++; /* section 4.1: a reader skips a version it cannot read */
        r->skip_section = true;
    }
}

/* Section 4.2: if_tsresol's high bit picks a power of two, else of ten; units per second, or
 * 0 when it does not fit 64 bits. */
static uint64_t tsresol_units(uint8_t v)
{
    unsigned exp = v & 0x7f;
    if ((v & 0x80) != 0) {
        return exp <= 63 ? (uint64_t)1 << exp : 0;
    }
    if (exp > 19) {
        return 0;
    }
    uint64_t units = 1;
    for (unsigned i = 0; i < exp; i++) {
        units *= 10;
    }
    return units;
}

/* Section 3.5: options are code, length, value padded to 32 bits, up to opt_endofopt. */
static bool interface_options(struct cursor opts, bool le, struct interface *ifc)
{
    while (cur_len(opts) > 0) {
        uint16_t code;
        uint16_t len;
        struct cursor value;
        if (!get16(&opts, le, &code) || !get16(&opts, le, &len) ||
            !cur_get_bytes(&opts, len, &value) || !cur_skip(&opts, (4 - len % 4) % 4)) {
            return false;
        }
        uint8_t resol;
        uint64_t offset;
        if (code == OPT_ENDOFOPT) {
            return true;
        } else if (code == IF_TSRESOL) {
            if (len != 1 || !cur_get_u8(&value, &resol)) {
                return false;
            }
            ifc->units = tsresol_units(resol);
        } else if (code == IF_TSOFFSET) {
            if (len != 8 || !get64(&value, le, &offset)) {
                return false;
            }
            ifc->offset_sec = (int64_t)offset;
        }
    }
    return true;
}

/* Section 4.2: LinkType, Reserved, SnapLen, options. The interface is kept even when its
 * block is broken, so the ids of the interfaces after it still match. */
static void interface_description(struct pcapng_reader *r, struct cursor body)
{
    struct interface ifc = {-1, 0, MICROS, 0};
    uint16_t linktype;
    if (!get16(&body, r->little_endian, &linktype) || !cur_skip(&body, 2) ||
        !get32(&body, r->little_endian, &ifc.snaplen) ||
        !interface_options(body, r->little_endian, &ifc)) {
        r->counters.bad_blocks++;
    } else {
        ifc.dlt = linktype == LINKTYPE_RAW ? DLT_RAW_LINUX : linktype;
    }
    if (ifc.units == 0) {
        r->counters.bad_timestamp++;
    }
    if (r->n_ifs >= PCAPNG_INTERFACES_MAX) {
        r->counters.interfaces_over++;
        return;
    }
    if (r->n_ifs == r->cap_ifs) {
        size_t cap = r->cap_ifs == 0 ? 4 : r->cap_ifs * 2;
        struct interface *grown = realloc(r->ifs, cap * sizeof(*grown));
        if (grown == NULL) {
            r->counters.interfaces_over++;
            return;
        }
        r->ifs = grown;
        r->cap_ifs = cap;
    }
    r->ifs[r->n_ifs++] = ifc;
}

/* The interface a packet names, or NULL (counted) when no usable IDB described it. */
static const struct interface *packet_interface(struct pcapng_reader *r, uint32_t id)
{
    if (id >= r->n_ifs || r->ifs[id].dlt < 0) {
        r->counters.bad_interface++;
        return NULL;
    }
    if (r->ifs[id].units == 0) {
        return NULL; /* counted once, at its IDB */
    }
    return &r->ifs[id];
}

static void frame_time(const struct interface *ifc, uint64_t t, struct timeval *tv)
{
    uint64_t frac = t % ifc->units;
    tv->tv_sec = (time_t)(t / ifc->units + (uint64_t)ifc->offset_sec);
    tv->tv_usec = (suseconds_t)(((unsigned __int128)frac * MICROS) / ifc->units);
}

/* Sections 4.3 (Enhanced) and appendix A (obsolete Packet Block): interface id, timestamp,
 * captured and original length, packet data. */
static bool timed_packet(struct pcapng_reader *r, struct cursor body, bool obsolete,
                         struct pcapng_frame *f)
{
    bool le = r->little_endian;
    uint32_t id;
    uint16_t id16;
    uint32_t hi;
    uint32_t lo;
    uint32_t caplen;
    bool ok = obsolete ? get16(&body, le, &id16) && cur_skip(&body, 2) : get32(&body, le, &id);
    if (obsolete) {
        id = id16;
    }
    if (!ok || !get32(&body, le, &hi) || !get32(&body, le, &lo) ||
        !get32(&body, le, &caplen) || !get32(&body, le, &f->wire_len) ||
        !cur_get_bytes(&body, caplen, &f->data)) {
        r->counters.bad_blocks++;
        return false;
    }
    const struct interface *ifc = packet_interface(r, id);
    if (ifc == NULL) {
        return false;
    }
    f->dlt = ifc->dlt;
    frame_time(ifc, (uint64_t)hi << 32 | lo, &f->ts);
    return true;
}

/* Section 4.4: interface 0, no timestamp; the captured length is the original length or
 * interface 0's snaplen, whichever is smaller, the rest of the block being padding. */
static bool simple_packet(struct pcapng_reader *r, struct cursor body, struct pcapng_frame *f)
{
    if (!get32(&body, r->little_endian, &f->wire_len)) {
        r->counters.bad_blocks++;
        return false;
    }
    const struct interface *ifc = packet_interface(r, 0);
    if (ifc == NULL) {
        return false;
    }
    size_t caplen = f->wire_len;
    if (ifc->snaplen != 0 && ifc->snaplen < caplen) {
        caplen = ifc->snaplen;
    }
    f->data = cur_take_upto(&body, caplen);
    f->dlt = ifc->dlt;
    f->ts.tv_sec = 0;
    f->ts.tv_usec = 0;
    return true;
}

enum pcapng_status pcapng_next(struct pcapng_reader *r, struct pcapng_frame *frame)
{
    for (;;) {
        uint32_t type;
        struct cursor body;
        switch (read_block(r, &type, &body)) {
        case BLOCK_READ:
            break;
        case BLOCK_SKIPPED:
        case BLOCK_SCAN_STOP: /* not while reading */
            continue;
        case BLOCK_END:
            return PCAPNG_END;
        case BLOCK_TRUNCATED:
            return PCAPNG_TRUNCATED;
        case BLOCK_ERROR:
        default:
            return PCAPNG_ERROR;
        }
        if (type == BT_SHB) {
            section_header(r, body);
        } else if (r->skip_section) {
            continue;
        } else if (type == BT_IDB) {
            interface_description(r, body);
        } else if ((type == BT_EPB || type == BT_OPB) &&
                   timed_packet(r, body, type == BT_OPB, frame)) {
            return PCAPNG_FRAME;
        } else if (type == BT_SPB && simple_packet(r, body, frame)) {
            return PCAPNG_FRAME;
        }
    }
}

static void add_dlt(int dlt, int *dlts, size_t max, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        if (dlts[i] == dlt) {
            return;
        }
    }
    if (*n < max) {
        dlts[(*n)++] = dlt;
    }
}

bool pcapng_scan(FILE *fp, uint8_t **consumed, size_t *consumed_len, int *dlts,
                 size_t max_dlts, size_t *n_dlts)
{
    struct pcapng_reader *r = pcapng_open(fp);
    *consumed = NULL;
    *consumed_len = 0;
    *n_dlts = 0;
    if (r == NULL) {
        return false;
    }
    r->scanning = true;
    bool ok = true;
    for (bool more = true; more;) {
        uint32_t type;
        struct cursor body;
        switch (read_block(r, &type, &body)) {
        case BLOCK_READ:
            if (type == BT_SHB) {
                section_header(r, body);
            } else if (type == BT_IDB && !r->skip_section) {
                interface_description(r, body);
                if (r->n_ifs > 0 && r->ifs[r->n_ifs - 1].dlt >= 0) {
                    add_dlt(r->ifs[r->n_ifs - 1].dlt, dlts, max_dlts, n_dlts);
                }
            }
            break;
        case BLOCK_SKIPPED:
            break;
        case BLOCK_ERROR:
            ok = !r->out_of_memory;
            more = false;
            break;
        default: /* the reader that follows tells why the file ends */
            more = false;
            break;
        }
    }
    *consumed = r->record;
    *consumed_len = r->record_len;
    r->record = NULL;
    pcapng_close(r);
    return ok;
}
