/*
 * Reference: a hand-written single-threaded C epoll server of the classic
 * payload (10 numbers in 1..100, csv, then close), as a C programmer who
 * cares about speed would write it: non-blocking accept4 in a loop, numbers
 * from a 64 KiB getrandom pool with exact rejection (4 numbers per accepted
 * 32-bit word, like randport), a 2-digit table, one write, close. A client
 * whose socket buffer is full (never, for 30 bytes) gets EPOLLOUT.
 *
 *   epoll_server PORT        prints "listening on 127.0.0.1:PORT" when ready
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define POOL_WORDS 16384
#define MAX_FDS 65536

static uint32_t pool[POOL_WORDS];
static int pool_next = POOL_WORDS;

static uint32_t next_word(void) {
  if (pool_next == POOL_WORDS) {
    size_t got = 0;
    while (got < sizeof pool) {
      ssize_t n = getrandom((char *)pool + got, sizeof pool - got, 0);
      if (n > 0) got += n;
    }
    pool_next = 0;
  }
  return pool[pool_next++];
}

struct pending {
  uint8_t len, sent;
  char buf[48];
};
static struct pending *pending[MAX_FDS];

static int build_payload(char *out) {
  /* 100^4 divides 4.2e9, the largest multiple below 2^32 */
  int len = 0, n = 0;
  while (n < 10) {
    uint32_t w = next_word();
    if (w >= 4200000000u) continue;
    for (int d = 0; d < 4 && n < 10; d++, n++) {
      unsigned v = w % 100 + 1;
      w /= 100;
      if (n) out[len++] = ',';
      if (v == 100) {
        memcpy(out + len, "100", 3);
        len += 3;
      } else if (v >= 10) {
        out[len++] = '0' + v / 10;
        out[len++] = '0' + v % 10;
      } else {
        out[len++] = '0' + v;
      }
    }
  }
  return len;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 27679;
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
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
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
          if (c < 0) break;
          char buf[48];
          int len = build_payload(buf);
          ssize_t w = write(c, buf, len);
          if (w == len || c >= MAX_FDS) {
            close(c);
            continue;
          }
          if (w < 0 && errno != EAGAIN) {
            close(c);
            continue;
          }
          struct pending *p = malloc(sizeof *p);
          memcpy(p->buf, buf, len);
          p->len = len;
          p->sent = w > 0 ? w : 0;
          pending[c] = p;
          struct epoll_event out = {.events = EPOLLOUT, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &out);
        }
      } else {
        struct pending *p = pending[fd];
        ssize_t w = write(fd, p->buf + p->sent, p->len - p->sent);
        if (w > 0) p->sent += w;
        if (p->sent == p->len || (w < 0 && errno != EAGAIN)) {
          free(p);
          pending[fd] = NULL;
          close(fd);
        }
      }
    }
  }
}
