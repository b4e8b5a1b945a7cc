/*
 * Reference: a straightforward C streaming server, as most C programmers
 * would write it: a thread per client; each number drawn from 32 random
 * bits (64 for ranges wider than 2^32) with exact rejection, the way
 * arc4random_uniform does it, from a 64 KiB getrandom buffer per thread
 * (glibc's own arc4random makes one getrandom system call per number, which
 * would make this reference pointlessly slow); written with the usual
 * digit loop (v % 10, v / 10) into a 16 KiB buffer that is written whole,
 * until the client goes away. (snprintf would be about 3 times slower.)
 * Streams min..max in csv or lines.
 *
 *   stream_server PORT MIN MAX csv|lines
 *
 * prints "listening on 127.0.0.1:PORT" when ready.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 16384

static int64_t vmin, vmax;
static int lines;

struct pool {
  uint8_t bytes[65536];
  size_t next;
};

static void take(struct pool *pool, void *out, size_t n) {
  if (pool->next + n > sizeof pool->bytes) {
    size_t got = 0;
    while (got < sizeof pool->bytes) {
      ssize_t r = getrandom(pool->bytes + got, sizeof pool->bytes - got, 0);
      if (r > 0) got += (size_t)r;
    }
    pool->next = 0;
  }
  memcpy(out, pool->bytes + pool->next, n);
  pool->next += n;
}

/* A uniform integer in min..max, by exact rejection. */
static int64_t draw(struct pool *pool) {
  uint64_t size = (uint64_t)(vmax - vmin) + 1;
  if (size <= UINT32_MAX) {
    uint32_t limit = (uint32_t)(UINT32_MAX - (UINT32_MAX % size + 1) % size);
    uint32_t x;
    do take(pool, &x, sizeof x);
    while (x > limit);
    return vmin + (int64_t)(x % size);
  }
  uint64_t limit = UINT64_MAX - UINT64_MAX % size, x;
  do take(pool, &x, sizeof x);
  while (x >= limit);
  return vmin + (int64_t)(x % size);
}

/* Writes v in decimal at out; returns the number of bytes. */
static size_t format(char *out, int64_t v) {
  char digits[24];
  char *p = digits + sizeof digits;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  size_t n = (size_t)(digits + sizeof digits - p);
  memcpy(out, p, n);
  return n;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[BUF_SIZE];
  struct pool *pool = calloc(1, sizeof *pool);
  pool->next = sizeof pool->bytes;
  int first = 1;
  for (;;) {
    size_t len = 0;
    while (len + 24 < BUF_SIZE) {
      int64_t v = draw(pool);
      if (!lines && !first) buf[len++] = ',';
      first = 0;
      len += format(buf + len, v);
      if (lines) buf[len++] = '\n';
    }
    if (write_all(fd, buf, len) != 0) break;
  }
  free(pool);
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: stream_server PORT MIN MAX csv|lines\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int port = atoi(argv[1]);
  vmin = strtoll(argv[2], NULL, 10);
  vmax = strtoll(argv[3], NULL, 10);
  lines = strcmp(argv[4], "lines") == 0;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4096)) {
    perror("listen");
    return 1;
  }
  socklen_t alen = sizeof a;
  getsockname(lfd, (struct sockaddr *)&a, &alen);
  printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    int c = accept(lfd, NULL, NULL);
    if (c < 0) continue;
    pthread_t t;
    if (pthread_create(&t, NULL, serve, (void *)(intptr_t)c) != 0) {
      close(c);
      continue;
    }
    pthread_detach(t);
  }
}
