#ifndef NEUROLINK_CCURL_SHIM_H
#define NEUROLINK_CCURL_SHIM_H

#include <curl/curl.h>

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

/* CURLMsg.data is a union; Swift imports it awkwardly. */
static inline CURLcode nl_msg_result(const CURLMsg *msg) { return msg->data.result; }

/* Macro-only constants. */
static const size_t NL_CURL_WRITEFUNC_PAUSE = CURL_WRITEFUNC_PAUSE;
static const int NL_CURLPAUSE_CONT = CURLPAUSE_CONT;
static const long NL_CURL_HTTP_VERSION_2TLS = CURL_HTTP_VERSION_2TLS;

#endif
