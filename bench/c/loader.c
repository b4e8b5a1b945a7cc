/*
 * The benchmark's load generator: opens connections to a randport-compatible
 * server on loopback, validates every byte it receives, and prints one JSON
 * object with what it measured. bench/bench.ts compiles it with gcc
 * (-O3 -march=native, else -O2).
 *
 *   loader conn   --port P [--host H] --concurrency C --seconds S
 *                 [--warmup S] [--count N] [--min A] [--max B] [--format F]
 *   loader stream --port P [--host H] --streams K --seconds S
 *                 [--warmup S] [--numbers N] [--min A] [--max B] [--format F]
 *                 [--validator words|bytes|none]
 *
 * conn:   keeps C short connections in flight (one thread, epoll); each must
 *         deliver exactly `count` numbers in min..max in the format (csv,
 *         lines or json), then end of stream. Reports connections/s and the
 *         latency from connect() to end of stream.
 * stream: K connections, one thread each, reading and validating until the
 *         time is up (or `numbers` numbers arrived on each), then closing.
 *
 * Every number is checked: digits, an optional '-', the separator; no
 * leading zeros, no -0, at most as many digits as the range allows, within
 * min..max. Streams are checked 64 bytes at a time with SSE2 (byte classes
 * as bit masks; values of short numbers in 16-bit lanes), because a plain
 * loop over bytes (--validator bytes, kept as the reference the fast one is
 * tested against) cannot keep up with the server on one core. For ranges
 * of at most 4096 values the loader also keeps a histogram and reports its
 * chi-square statistic, so a generator that is fast but wrong shows up.
 * --validator none only counts bytes: a diagnostic of what validation
 * costs, never a benchmark figure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FMT_CSV 0
#define FMT_LINES 1
#define FMT_JSON 2
#define HIST_MAX 4096
#define STREAM_BUF (256 * 1024)
#define CONN_BUF 65536

static const char *host = "127.0.0.1";
static int port = 0;
static int concurrency = 32;
static int streams = 1;
static double seconds = 3;
static double warmup = 0.5;
static int64_t count = 10;
static int64_t vmin = 1;
static int64_t vmax = 100;
static int format = FMT_CSV;
/* --validator bytes: the plain loop; none: count bytes only, a diagnostic
 * of what the reader costs, never a benchmark figure */
static int simple_validator = 0, no_validation = 0;
static uint64_t max_numbers = 0; /* stream: stop each stream after this many; 0 = time only */

static struct sockaddr_storage addr;
static socklen_t addr_len;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds this process has used, user and system, all threads. */
static double cpu_seconds(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec * 1e-6;
}

static void die(const char *message) {
  fprintf(stderr, "loader: %s: %s\n", message, strerror(errno));
  exit(1);
}

static void resolve(void) {
  struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
  memset(&addr, 0, sizeof addr);
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    addr_len = sizeof *v6;
  } else {
    fprintf(stderr, "loader: --host must be a numeric address: %s\n", host);
    exit(2);
  }
}

static int max_digits(void) {
  int64_t biggest = vmax > -vmin ? vmax : -vmin;
  int digits = 1;
  for (; biggest >= 10; biggest /= 10) digits++;
  return digits;
}

/* ---------------------------------------------------------------------------
 * Validation. A checker follows one byte stream across reads. */

struct checker {
  uint64_t numbers;  /* complete numbers seen */
  uint64_t bytes;
  int bad;           /* first problem, sticky */
  uint64_t bad_at;   /* its byte offset */
  /* the number being read */
  uint64_t value;
  int digits;
  int negative;
  int leading_zero;
  /* json only */
  int opened, closed;
  uint64_t *hist;    /* per value, when the range is small */
};

static int hist_size(void) {
  int64_t size = vmax - vmin + 1;
  return size >= 1 && size <= HIST_MAX ? (int)size : 0;
}

/* Completes the number in progress; returns 0 if it is well-formed. */
static inline int finish_number(struct checker *c, int limit_digits) {
  if (c->digits == 0 || c->digits > limit_digits) return -1;
  if (c->leading_zero && c->digits > 1) return -1;
  if (c->negative && c->value == 0) return -1;
  int64_t v = c->negative ? -(int64_t)c->value : (int64_t)c->value;
  if (v < vmin || v > vmax) return -1;
  if (c->hist) c->hist[v - vmin]++;
  c->numbers++;
  c->value = 0;
  c->digits = 0;
  c->negative = 0;
  return 0;
}

/* Feeds bytes of a csv or lines stream; the separator ends each number. */
static void feed(struct checker *c, const uint8_t *p, size_t n, int separator,
                 int limit_digits) {
  if (c->bad) return;
  uint64_t value = c->value;
  int digits = c->digits;
  for (size_t i = 0; i < n; i++) {
    unsigned d = (unsigned)p[i] - '0';
    if (d < 10) {
      if (digits == 0) c->leading_zero = d == 0;
      value = value * 10 + d;
      digits++;
      continue;
    }
    c->value = value;
    c->digits = digits;
    if (p[i] == separator) {
      if (finish_number(c, limit_digits) != 0) goto bad;
      value = 0;
      digits = 0;
      continue;
    }
    if (p[i] == '-' && digits == 0 && !c->negative) {
      c->negative = 1;
      continue;
    }
  bad:
    c->bad = 1;
    c->bad_at = c->bytes + i;
    return;
  }
  c->value = value;
  c->digits = digits;
  c->bytes += n;
}

/* Eight ASCII digits (already minus '0', first digit in the lowest byte)
 * to their value, without a loop (the SWAR method of simdjson). */
static inline uint64_t parse_eight(uint64_t val) {
  const uint64_t mask = 0x000000FF000000FFull;
  const uint64_t mul1 = 0x000F424000000064ull; /* 100 + (1000000 << 32) */
  const uint64_t mul2 = 0x0000271000000001ull; /* 1 + (10000 << 32) */
  val = (val * 10) + (val >> 8);
  return (((val & mask) * mul1) + (((val >> 16) & mask) * mul2)) >> 32;
}

/* Bit 7 of each byte of the result is set where `t` (bytes minus '0') is not
 * a digit. Carries only move towards higher bytes, so the lowest flagged
 * byte is always right, which is all the caller uses. */
static inline uint64_t non_digits(uint64_t t) {
  return ((t + 0x7676767676767676ull) | t) & 0x8080808080808080ull;
}

static const uint64_t POW10[9] = {1,      10,      100,      1000,     10000,
                                  100000, 1000000, 10000000, 100000000};

/* The classes of 64 bytes, one bit per byte. */
struct classes {
  uint64_t digit, separator, minus, zero;
};

static inline void classify(const uint8_t *p, int separator,
                            struct classes *out) {
#ifdef __SSE2__
  const __m128i below = _mm_set1_epi8('0' - 1), above = _mm_set1_epi8('9' + 1);
  const __m128i sep = _mm_set1_epi8((char)separator);
  const __m128i minus = _mm_set1_epi8('-'), zero = _mm_set1_epi8('0');
  uint64_t d = 0, s = 0, m = 0, z = 0;
  for (int k = 0; k < 4; k++) {
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    /* Signed compares are right: ASCII is below 0x80, anything else is
     * negative and no digit. */
    __m128i is_digit =
        _mm_and_si128(_mm_cmpgt_epi8(b, below), _mm_cmplt_epi8(b, above));
    d |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_digit) << (16 * k);
    s |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, sep))
         << (16 * k);
    m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, minus))
         << (16 * k);
    z |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, zero))
         << (16 * k);
  }
  out->digit = d, out->separator = s, out->minus = m, out->zero = z;
#else
  uint64_t d = 0, s = 0, m = 0, z = 0;
  for (int i = 0; i < 64; i++) {
    uint64_t bit = 1ull << i;
    if (p[i] >= '0' && p[i] <= '9') d |= bit;
    if (p[i] == separator) s |= bit;
    if (p[i] == '-') m |= bit;
    if (p[i] == '0') z |= bit;
  }
  out->digit = d, out->separator = s, out->minus = m, out->zero = z;
#endif
}

/* Up to 4 ASCII digits (minus '0', first digit in the lowest byte, `length`
 * of them) to their value. */
static inline uint64_t parse_four(uint32_t t, int length) {
  t <<= 8 * (4 - length);
  t = (t * 10 + (t >> 8)) & 0x00FF00FF;
  return (t * (1 + (100 << 16))) >> 16 & 0xFFFF;
}

/* Grammar errors among the 64 bytes at p (bit i for p[i]): a byte that is
 * not a digit, the separator or '-'; a '-' not starting a number or not
 * followed by a digit; an empty number; a '0' starting a number and
 * followed by a digit. Reads p[-2] to p[64]. */
static inline uint64_t grammar_errors(const uint8_t *p, int separator,
                                      uint64_t *separators) {
  struct classes here, next, previous, before_previous;
  classify(p, separator, &here);
  classify(p + 1, separator, &next);
  classify(p - 1, separator, &previous);
  classify(p - 2, separator, &before_previous);
  uint64_t starts = previous.separator;
  uint64_t digit_starts = starts | (previous.minus & before_previous.separator);
  *separators = here.separator;
  return ~(here.digit | here.separator | here.minus) |
         (here.minus & ~(starts & next.digit)) | (here.separator & starts) |
         (here.zero & digit_starts & next.digit);
}

#ifdef __SSE2__
/* Bit i set where p[i] is '-', for i in 0..63. */
static inline uint64_t classify_minus(const uint8_t *p) {
  uint64_t mask = 0;
  for (int k = 0; k < 4; k++) {
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16 * k));
    mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                _mm_cmpeq_epi8(b, _mm_set1_epi8('-')))
            << (16 * k);
  }
  return mask;
}

/* Digits of 16 bytes as 16-bit lanes (low and high halves), 0 where a byte
 * is no digit, and the digit masks as bytes (0xFF or 0). */
static inline void digit_lanes(__m128i b, __m128i *low, __m128i *high,
                               __m128i *is_digit) {
  const __m128i below = _mm_set1_epi8('0' - 1), above = _mm_set1_epi8('9' + 1);
  *is_digit = _mm_and_si128(_mm_cmpgt_epi8(b, below), _mm_cmplt_epi8(b, above));
  __m128i d = _mm_and_si128(_mm_sub_epi8(b, _mm_set1_epi8('0')), *is_digit);
  *low = _mm_unpacklo_epi8(d, _mm_setzero_si128());
  *high = _mm_unpackhi_epi8(d, _mm_setzero_si128());
}

/* The fast path for ranges within 0..9999, where numbers are short and many.
 * No loop per number for the checks: for every byte position i, the value
 * of the digits just before it (at most 4) is computed in 16-bit lanes from
 * five shifted loads, so at each separator the number it ends is known, and
 * range and length are checked on whole vectors. What is left per number is
 * the (sampled) histogram. Grammar as in feed_whole; a '-' is always an
 * error here. */
static void feed_small(struct checker *c, const uint8_t *p, size_t n,
                       int separator) {
  uint64_t *hist = c->hist;
  const __m128i lowest = _mm_set1_epi16((short)vmin);
  const __m128i highest = _mm_set1_epi16((short)vmax);
  const __m128i ten = _mm_set1_epi16(10), hundred = _mm_set1_epi16(100),
                thousand = _mm_set1_epi16(1000);
  uint16_t values[64];
  uint64_t numbers = 0, err = 0;
  size_t base;
  for (base = 0; base < n; base += 64) {
    uint64_t valid = n - base < 64 ? (1ull << (n - base)) - 1 : ~0ull;
    uint64_t mask, bad = 0;
    err = grammar_errors(p + base, separator, &mask);
    for (int k = 0; k < 4; k++) {
      const uint8_t *q = p + base + 16 * k;
      __m128i l1, h1, m1, l2, h2, m2, l3, h3, m3, l4, h4, m4, l5, h5, m5;
      digit_lanes(_mm_loadu_si128((const __m128i *)(q - 1)), &l1, &h1, &m1);
      digit_lanes(_mm_loadu_si128((const __m128i *)(q - 2)), &l2, &h2, &m2);
      digit_lanes(_mm_loadu_si128((const __m128i *)(q - 3)), &l3, &h3, &m3);
      digit_lanes(_mm_loadu_si128((const __m128i *)(q - 4)), &l4, &h4, &m4);
      digit_lanes(_mm_loadu_si128((const __m128i *)(q - 5)), &l5, &h5, &m5);
      /* A digit counts only if every byte between it and i is one. */
      __m128i r2 = _mm_and_si128(m1, m2), r3 = _mm_and_si128(r2, m3),
              r4 = _mm_and_si128(r3, m4), r5 = _mm_and_si128(r4, m5);
      __m128i r2l = _mm_unpacklo_epi8(r2, r2), r2h = _mm_unpackhi_epi8(r2, r2);
      __m128i r3l = _mm_unpacklo_epi8(r3, r3), r3h = _mm_unpackhi_epi8(r3, r3);
      __m128i r4l = _mm_unpacklo_epi8(r4, r4), r4h = _mm_unpackhi_epi8(r4, r4);
      __m128i vl = _mm_add_epi16(
          _mm_add_epi16(l1, _mm_mullo_epi16(_mm_and_si128(l2, r2l), ten)),
          _mm_add_epi16(_mm_mullo_epi16(_mm_and_si128(l3, r3l), hundred),
                        _mm_mullo_epi16(_mm_and_si128(l4, r4l), thousand)));
      __m128i vh = _mm_add_epi16(
          _mm_add_epi16(h1, _mm_mullo_epi16(_mm_and_si128(h2, r2h), ten)),
          _mm_add_epi16(_mm_mullo_epi16(_mm_and_si128(h3, r3h), hundred),
                        _mm_mullo_epi16(_mm_and_si128(h4, r4h), thousand)));
      _mm_storeu_si128((__m128i *)(values + 16 * k), vl);
      _mm_storeu_si128((__m128i *)(values + 16 * k + 8), vh);
      __m128i out_of_range = _mm_packs_epi16(
          _mm_or_si128(_mm_cmpgt_epi16(lowest, vl), _mm_cmpgt_epi16(vl, highest)),
          _mm_or_si128(_mm_cmpgt_epi16(lowest, vh), _mm_cmpgt_epi16(vh, highest)));
      bad |= ((uint64_t)(uint16_t)_mm_movemask_epi8(
                  _mm_or_si128(out_of_range, r5)))
             << (16 * k);
    }
    /* Checked only where a number ends: at a separator. */
    err = (err | (bad & mask) | classify_minus(p + base)) & valid;
    if (err) break;
    mask &= valid;
    numbers += (uint64_t)__builtin_popcountll(mask);
    /* The histogram is a sanity check of the distribution, not part of
     * validation, and the loop per number is the slowest part here: it
     * samples the numbers of every fourth block of 64 bytes. */
    if (hist && (base & 0xc0) == 0) {
      while (mask) {
        hist[values[__builtin_ctzll(mask)] - vmin]++;
        mask &= mask - 1;
      }
    }
  }
  if (err) {
    struct checker exact;
    memset(&exact, 0, sizeof exact);
    feed(&exact, p, n, separator, max_digits());
    c->bad = 1;
    c->bad_at = c->bytes + (exact.bad ? exact.bad_at : base);
    return;
  }
  c->numbers += numbers;
  c->bytes += n;
}
#endif

/* Validates p[0..n), which ends with a separator and starts a number: whole
 * numbers only. Reads p[-2], p[-1] and up to 64 bytes past n (the caller
 * pads the buffer, and p[-2] and p[-1] are separators).
 *
 * 64 bytes at a time, the grammar is checked on bit masks of byte classes
 * (grammar_errors). Then each number's bounds are known from the separator
 * mask before it is parsed, so the numbers are converted (a few
 * multiplications each) and range-checked independently of each other;
 * errors are accumulated and looked at once per 64 bytes. Ranges whose
 * numbers have at most 4 digits take a shorter loop: that is where the
 * numbers are many and the loop is what limits the loader. */
static void feed_whole(struct checker *c, const uint8_t *p, size_t n,
                       int separator, int limit_digits) {
  uint64_t *hist = c->hist;
  uint64_t range = (uint64_t)(vmax - vmin), trash = range + 1;
  uint64_t numbers = 0, err = 0;
  size_t start = 0, base;
  for (base = 0; base < n; base += 64) {
    uint64_t valid = n - base < 64 ? (1ull << (n - base)) - 1 : ~0ull;
    uint64_t mask;
    err = grammar_errors(p + base, separator, &mask) & valid;
    mask &= valid;
    numbers += (uint64_t)__builtin_popcountll(mask);
    if (limit_digits <= 4) {
      while (mask) {
        size_t end = base + (size_t)__builtin_ctzll(mask);
        mask &= mask - 1;
        uint64_t w;
        memcpy(&w, p + start, 8);
        /* A '-' can only start a number (grammar_errors), so shift it out. */
        uint64_t negative = (w & 0xff) == '-';
        w = (w >> (8 * negative)) ^ 0x3030303030303030ull;
        int length = (int)(end - start - negative);
        start = end + 1;
        err |= (uint64_t)(length - 1) > (uint64_t)(limit_digits - 1);
        uint64_t value = parse_four((uint32_t)w, ((length - 1) & 3) + 1);
        err |= negative & (uint64_t)(value == 0);
        uint64_t offset = (negative ? 0 - value : value) - (uint64_t)vmin;
        err |= (uint64_t)(offset > range);
        if (hist) hist[offset <= range ? offset : trash]++;
      }
    } else {
      while (mask) {
        size_t end = base + (size_t)__builtin_ctzll(mask);
        mask &= mask - 1;
        const uint8_t *digits = p + start;
        int negative = *digits == '-';
        digits += negative;
        int length = (int)(p + end - digits);
        start = end + 1;
        uint64_t w, value;
        memcpy(&w, digits, 8);
        w ^= 0x3030303030303030ull;
        if (length <= 8) {
          /* length is 0 only after an error was flagged above */
          value = parse_eight(w << (8 * (8 - (length > 0 ? length : 1))));
        } else if (length <= 16) {
          uint64_t w2;
          memcpy(&w2, digits + 8, 8);
          w2 ^= 0x3030303030303030ull;
          value = parse_eight(w) * POW10[length - 8] +
                  parse_eight(w2 << (8 * (16 - length)));
        } else {
          value = 0;
          err = 1;
        }
        err |= (uint64_t)(length > limit_digits);
        err |= (uint64_t)negative & (uint64_t)(value == 0);
        uint64_t offset = (negative ? 0 - value : value) - (uint64_t)vmin;
        err |= (uint64_t)(offset > range);
        if (hist) hist[offset <= range ? offset : trash]++;
      }
    }
    if (err) break;
  }
  if (err) {
    /* Find the exact place with the plain validator. */
    struct checker exact;
    memset(&exact, 0, sizeof exact);
    feed(&exact, p, n, separator, limit_digits);
    c->bad = 1;
    c->bad_at = c->bytes + (exact.bad ? exact.bad_at : base);
    return;
  }
  c->numbers += numbers;
  c->bytes += n;
}

/* Validates one whole fixed payload. */
static int check_payload(struct checker *c, const uint8_t *p, size_t n,
                         int limit_digits, uint64_t *hist) {
  memset(c, 0, sizeof *c);
  c->hist = hist;
  if (format == FMT_JSON) {
    if (n < 2 || p[0] != '[' || p[n - 1] != ']') return -1;
    p++;
    n -= 2;
  }
  int separator = format == FMT_LINES ? '\n' : ',';
  feed(c, p, n, separator, limit_digits);
  if (c->bad) return -1;
  if (format == FMT_LINES) {
    if (c->digits != 0 || c->negative) return -1;
  } else if (n > 0) {
    if (finish_number(c, limit_digits) != 0) return -1;
  }
  return (int64_t)c->numbers == count ? 0 : -1;
}

static double chi_square(const uint64_t *hist, int size) {
  uint64_t total = 0;
  for (int i = 0; i < size; i++) total += hist[i];
  if (total == 0 || size < 2) return 0;
  double expected = (double)total / size, statistic = 0;
  for (int i = 0; i < size; i++) {
    double d = hist[i] - expected;
    statistic += d * d / expected;
  }
  return statistic;
}

/* ---------------------------------------------------------------------------
 * conn: short connections. */

struct slot {
  int fd;
  double started;
  size_t length;
  uint8_t buf[CONN_BUF];
};

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int open_conn(int epoll_fd, struct slot *slot) {
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  slot->fd = fd;
  slot->length = 0;
  slot->started = now();
  if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    slot->fd = -1;
    return -1;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = slot};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
  return 0;
}

static int run_conn(void) {
  int epoll_fd = epoll_create1(0);
  if (epoll_fd < 0) die("epoll_create1");
  struct slot *slots = calloc(concurrency, sizeof *slots);
  if (!slots) die("calloc");
  size_t lat_cap = 1 << 20, lat_len = 0;
  uint32_t *latencies = malloc(lat_cap * sizeof *latencies);
  uint64_t done = 0, errors = 0, invalid = 0, numbers = 0, bytes = 0;
  uint64_t *hist = NULL;
  int hsize = hist_size();
  if (hsize) hist = calloc(hsize, sizeof *hist);
  int limit_digits = max_digits();
  struct checker checker;
  char first_invalid[160] = "";

  double start = now();
  double measure_from = start + warmup;
  double end = measure_from + seconds;
  double measured_start = 0;
  for (int i = 0; i < concurrency; i++) {
    if (open_conn(epoll_fd, &slots[i]) != 0) errors++;
  }
  struct epoll_event events[256];
  int open = concurrency;
  for (;;) {
    double t = now();
    int stopping = t >= end;
    if (stopping && open == 0) break;
    if (t > end + 10) break; /* a server that never closes */
    int ready = epoll_wait(epoll_fd, events, 256, 100);
    if (ready < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < ready; e++) {
      struct slot *slot = events[e].data.ptr;
      int finished = 0, failed = 0;
      for (;;) {
        if (slot->length == CONN_BUF) {
          failed = 2; /* far more than any short payload */
          break;
        }
        ssize_t got = read(slot->fd, slot->buf + slot->length,
                           CONN_BUF - slot->length);
        if (got > 0) {
          slot->length += got;
          continue;
        }
        if (got == 0) finished = 1;
        else if (errno != EAGAIN && errno != EINTR) failed = 1;
        break;
      }
      if (!finished && !failed) continue;
      double t_done = now();
      close(slot->fd); /* also removes it from the epoll set */
      int counted = slot->started >= measure_from && t_done < end;
      if (finished && check_payload(&checker, slot->buf, slot->length,
                                    limit_digits, counted ? hist : NULL) == 0) {
        if (counted) {
          if (measured_start == 0) measured_start = slot->started;
          done++;
          numbers += checker.numbers;
          bytes += slot->length;
          if (lat_len == lat_cap) {
            lat_cap *= 2;
            latencies = realloc(latencies, lat_cap * sizeof *latencies);
            if (!latencies) die("realloc");
          }
          double us = (t_done - slot->started) * 1e6;
          latencies[lat_len++] = us > 4e9 ? 4000000000u : (uint32_t)us;
        }
      } else if (finished || failed == 2) {
        invalid++;
        if (!first_invalid[0]) {
          size_t n = slot->length < 60 ? slot->length : 60;
          snprintf(first_invalid, sizeof first_invalid, "%.*s", (int)n,
                   (const char *)slot->buf);
          for (char *q = first_invalid; *q; q++)
            if (*q == '"' || *q == '\\' || (unsigned char)*q < 0x20) *q = '?';
        }
      } else {
        errors++;
      }
      open--;
      if (!stopping && now() < end) {
        if (open_conn(epoll_fd, slot) == 0) open++;
        else errors++;
      }
    }
  }
  double measured = end - (measured_start ? measured_start : measure_from);
  if (measured <= 0) measured = seconds;
  qsort(latencies, lat_len, sizeof *latencies, cmp_u32);
  double p50 = lat_len ? latencies[lat_len / 2] : 0;
  double p99 = lat_len ? latencies[(size_t)(lat_len * 0.99)] : 0;
  double pmax = lat_len ? latencies[lat_len - 1] : 0;
  printf("{\"mode\":\"conn\",\"concurrency\":%d,\"seconds\":%.3f,"
         "\"connections\":%llu,\"errors\":%llu,\"invalid\":%llu,"
         "\"numbers\":%llu,\"bytes\":%llu,\"p50_us\":%.0f,\"p99_us\":%.0f,"
         "\"max_us\":%.0f,\"chi2\":%.3f,\"bins\":%d,\"cpu\":%.3f,"
         "\"wall\":%.3f,\"problem\":\"%s\"}\n",
         concurrency, measured, (unsigned long long)done,
         (unsigned long long)errors, (unsigned long long)invalid,
         (unsigned long long)numbers, (unsigned long long)bytes, p50, p99,
         pmax, hist ? chi_square(hist, hsize) : 0, hsize, cpu_seconds(),
         now() - start, first_invalid);
  return 0;
}

/* ---------------------------------------------------------------------------
 * stream: long connections, one thread each. */

struct stream_state {
  pthread_t thread;
  double start_at, measure_from, end_at;
  struct checker checker;
  uint64_t numbers_at_start, bytes_at_start, received;
  double first_byte, measured_from, measured_to;
  int error;
  char error_text[96];
};

static void *run_one_stream(void *arg) {
  struct stream_state *s = arg;
  /* The incomplete number at the end of a read is carried to the front of
   * the next; the padding lets feed_whole read past the last separator. */
  uint8_t *memory = calloc(1, STREAM_BUF + 192);
  int fd = socket(addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0 || !memory) die("socket");
  uint8_t *buf = memory + 64;
  struct timeval timeout = {.tv_sec = 5};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0) {
    s->error = 1;
    snprintf(s->error_text, sizeof s->error_text, "connect: %s",
             strerror(errno));
    free(memory);
    return NULL;
  }
  int separator = format == FMT_LINES ? '\n' : ',';
  int limit_digits = max_digits();
  struct checker *c = &s->checker;
  int measuring = 0;
  size_t carry = 0;
  memset(buf - 8, separator, 8);
  uint64_t received = 0, received_at_start = 0;
  s->measured_from = s->measure_from;
  for (;;) {
    ssize_t got = read(fd, buf + carry, STREAM_BUF - carry);
    if (got <= 0) {
      s->error = 1;
      snprintf(s->error_text, sizeof s->error_text, "%s",
               got == 0 ? "server closed the stream" : strerror(errno));
      break;
    }
    received += (uint64_t)got;
    size_t total = carry + (size_t)got;
    const uint8_t *last = memrchr(buf, separator, total);
    size_t whole = last ? (size_t)(last - buf) + 1 : 0;
    if (whole > 0) {
      if (no_validation) c->bytes += whole;
      else if (simple_validator) feed(c, buf, whole, separator, limit_digits);
#ifdef __SSE2__
      else if (vmin >= 0 && vmax <= 9999) feed_small(c, buf, whole, separator);
#endif
      else feed_whole(c, buf, whole, separator, limit_digits);
    }
    if (c->bad) break;
    carry = total - whole;
    if (carry > 32) {
      c->bad = 1; /* a number longer than any valid one */
      c->bad_at = c->bytes;
      break;
    }
    memmove(buf, buf + whole, carry);
    double t = now();
    if (!measuring && t >= s->measure_from) {
      measuring = 1;
      s->numbers_at_start = c->numbers;
      received_at_start = received;
      s->measured_from = t;
    }
    if (t >= s->end_at || (max_numbers && c->numbers >= max_numbers)) {
      s->measured_to = t;
      break;
    }
  }
  if (!measuring) {
    s->numbers_at_start = 0;
    received_at_start = 0;
    s->measured_from = s->start_at;
  }
  s->bytes_at_start = received_at_start;
  s->received = received;
  if (s->measured_to == 0) s->measured_to = now();
  close(fd);
  free(memory);
  return NULL;
}

static int run_stream(void) {
  struct stream_state *states = calloc(streams, sizeof *states);
  int hsize = hist_size();
  double start = now();
  for (int i = 0; i < streams; i++) {
    struct stream_state *s = &states[i];
    s->start_at = start;
    s->measure_from = start + warmup;
    s->end_at = start + warmup + seconds;
    if (hsize) s->checker.hist = calloc(hsize + 1, sizeof(uint64_t));
    if (pthread_create(&s->thread, NULL, run_one_stream, s) != 0)
      die("pthread_create");
  }
  uint64_t numbers = 0, bytes = 0, total_numbers = 0, invalid = 0, errors = 0;
  double from = 1e300, to = 0;
  uint64_t *hist = hsize ? calloc(hsize, sizeof *hist) : NULL;
  char problem[200] = "";
  for (int i = 0; i < streams; i++) {
    struct stream_state *s = &states[i];
    pthread_join(s->thread, NULL);
    numbers += s->checker.numbers - s->numbers_at_start;
    bytes += s->received - s->bytes_at_start;
    total_numbers += s->checker.numbers;
    if (s->measured_from < from) from = s->measured_from;
    if (s->measured_to > to) to = s->measured_to;
    if (s->checker.bad) {
      invalid++;
      if (!problem[0])
        snprintf(problem, sizeof problem, "stream %d: bad byte at offset %llu",
                 i, (unsigned long long)s->checker.bad_at);
    } else if (s->error) {
      errors++;
      if (!problem[0])
        snprintf(problem, sizeof problem, "stream %d: %s", i, s->error_text);
    }
    if (hist)
      for (int k = 0; k < hsize; k++) hist[k] += s->checker.hist[k];
  }
  double measured = to > from ? to - from : 0;
  printf("{\"mode\":\"stream\",\"streams\":%d,\"seconds\":%.3f,"
         "\"numbers\":%llu,\"bytes\":%llu,\"total_numbers\":%llu,"
         "\"errors\":%llu,\"invalid\":%llu,\"chi2\":%.3f,\"bins\":%d,"
         "\"cpu\":%.3f,\"wall\":%.3f,\"problem\":\"%s\"}\n",
         streams, measured, (unsigned long long)numbers,
         (unsigned long long)bytes, (unsigned long long)total_numbers,
         (unsigned long long)errors, (unsigned long long)invalid,
         hist ? chi_square(hist, hsize) : 0, hsize, cpu_seconds(),
         now() - start, problem);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: loader conn|stream --port P [options]\n");
    return 2;
  }
  const char *mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--host")) host = v;
    else if (!strcmp(k, "--port")) port = atoi(v);
    else if (!strcmp(k, "--concurrency")) concurrency = atoi(v);
    else if (!strcmp(k, "--streams")) streams = atoi(v);
    else if (!strcmp(k, "--seconds")) seconds = atof(v);
    else if (!strcmp(k, "--warmup")) warmup = atof(v);
    else if (!strcmp(k, "--count")) count = atoll(v);
    else if (!strcmp(k, "--min")) vmin = atoll(v);
    else if (!strcmp(k, "--max")) vmax = atoll(v);
    else if (!strcmp(k, "--numbers")) max_numbers = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--validator")) {
      simple_validator = !strcmp(v, "bytes");
      no_validation = !strcmp(v, "none");
    }
    else if (!strcmp(k, "--format")) {
      format = !strcmp(v, "lines") ? FMT_LINES
               : !strcmp(v, "json") ? FMT_JSON
                                    : FMT_CSV;
    } else {
      fprintf(stderr, "loader: unknown option %s\n", k);
      return 2;
    }
  }
  if (port <= 0 || concurrency < 1 || streams < 1) {
    fprintf(stderr, "loader: bad arguments\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  resolve();
  if (!strcmp(mode, "conn")) return run_conn();
  if (!strcmp(mode, "stream")) return run_stream();
  fprintf(stderr, "loader: unknown mode %s\n", mode);
  return 2;
}
