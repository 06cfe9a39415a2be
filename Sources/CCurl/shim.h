#ifndef NEUROLINK_CCURL_SHIM_H
#define NEUROLINK_CCURL_SHIM_H

#include <curl/curl.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt are C variadics, which Swift cannot call.
   One non-variadic wrapper per argument kind. */

typedef size_t (*nl_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode nl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode nl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode nl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode nl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode nl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode nl_easy_setopt_callback(CURL *h, CURLoption o, nl_curl_data_callback v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode nl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode nl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode nl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode nl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode nl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }

typedef int (*nl_curl_socket_callback)(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);
typedef int (*nl_curl_timer_callback)(CURLM *multi, long timeout_ms, void *userp);
static inline CURLMcode nl_multi_set_socket_callback(CURLM *m, nl_curl_socket_callback f) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f);
}
static inline CURLMcode nl_multi_set_timer_callback(CURLM *m, nl_curl_timer_callback f) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f);
}

/* epoll for curl_multi_socket_action. struct epoll_event is packed on x86-64, so it stays on this side.
   Level-triggered: a socket libcurl does not read stays ready, and libcurl is asked again. */

/* Watches `fd` for what libcurl asked for (CURL_POLL_IN/OUT/INOUT). CURL_POLL_REMOVE and CURL_POLL_NONE stop
   watching it: an epoll entry always reports hang-ups, which would wake the loop for a socket nobody reads
   (a paused transfer's). Returns 0, or -1 with errno set. */
static inline int nl_epoll_watch(int epfd, int fd, int what) {
    if (what == CURL_POLL_REMOVE || what == CURL_POLL_NONE) {
        if (epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == 0 || errno == ENOENT || errno == EBADF) return 0;
        return -1;
    }
    struct epoll_event event = {0};
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    event.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

/* Registers the loop's wake-up eventfd for reading. */
static inline int nl_epoll_watch_readable(int epfd, int fd) {
    struct epoll_event event = {0};
    event.events = EPOLLIN;
    event.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

#define NL_EPOLL_BATCH 64

/* Waits up to `timeout_ms` for ready descriptors (at most NL_EPOLL_BATCH); fills `fds` and, in `flags`,
   libcurl's CURL_CSELECT_* bits for each. Returns their number, or -1 with errno set. */
static inline int nl_epoll_wait(int epfd, int *fds, int *flags, int timeout_ms) {
    struct epoll_event events[NL_EPOLL_BATCH];
    int count = epoll_wait(epfd, events, NL_EPOLL_BATCH, timeout_ms);
    for (int i = 0; i < count; i++) {
        unsigned ready = events[i].events;
        fds[i] = events[i].data.fd;
        flags[i] = ((ready & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) ? CURL_CSELECT_IN : 0)
            | ((ready & EPOLLOUT) ? CURL_CSELECT_OUT : 0) | ((ready & EPOLLERR) ? CURL_CSELECT_ERR : 0);
    }
    return count;
}

static inline int nl_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
static inline int nl_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* CURLMsg.data is a union; Swift imports it awkwardly. */
static inline CURLcode nl_msg_result(const CURLMsg *msg) { return msg->data.result; }

/* Macro-only constants. */
static const size_t NL_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;
static const int NL_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const long NL_CURL_HTTP_VERSION_2TLS = CURL_HTTP_VERSION_2TLS;
static const curl_socket_t NL_CURL_SOCKET_TIMEOUT = CURL_SOCKET_TIMEOUT;

#endif
