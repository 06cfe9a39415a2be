// Which functions of the main executable does a process enter? A development tool for
// scripts/symbol-order.sh (LD_PRELOAD), never part of the product.
//
// Before the executable's own initialisers run, a breakpoint (int3) goes on the first byte of every
// function listed in $ENTERED_IN (hex link-time addresses, one per line). The first hit records the
// function, puts its byte back and resumes it. The entered set (the same addresses) is written to
// $ENTERED_OUT.<pid> every 100 ms and at exit. Page-level tools cannot see this: the kernel maps
// 64 KiB around every page fault of a file mapping, and x86 marks those pages accessed too.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static uintptr_t base, text_start, text_end;
static uintptr_t *entries;
static unsigned char *saved;
static volatile unsigned char *hit;
static size_t count;
static char out_path[4000];

static long find(uintptr_t address) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (entries[mid] < address) low = mid + 1; else high = mid;
    }
    return (low < count && entries[low] == address) ? (long)low : -1;
}

static void on_trap(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)info;
    ucontext_t *uc = context;
    uintptr_t address = uc->uc_mcontext.gregs[REG_RIP] - 1;
    long index = find(address - base);
    if (index < 0) {  // not one of ours: the default action
        signal(SIGTRAP, SIG_DFL);
        return;
    }
    hit[index] = 1;
    *(volatile unsigned char *)address = saved[index];
    uc->uc_mcontext.gregs[REG_RIP] = address;
}

// The process may not take SIGTRAP from us (the Swift runtime's backtracer would).
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
    static int (*real)(int, const struct sigaction *, struct sigaction *);
    if (!real) real = dlsym(RTLD_NEXT, "sigaction");
    if (sig == SIGTRAP && act && count) return 0;
    return real(sig, act, old);
}

static void write_set(void) {
    char tmp[4100];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    FILE *file = fopen(tmp, "w");
    if (!file) return;
    for (size_t i = 0; i < count; i++) if (hit[i]) fprintf(file, "%lx\n", (unsigned long)entries[i]);
    fclose(file);
    rename(tmp, out_path);
}

__attribute__((destructor)) static void finish(void) {
    if (count) write_set();
}

static void *writer(void *unused) {
    (void)unused;
    for (;;) { usleep(100000); write_set(); }
    return NULL;
}

static int find_text(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name && info->dlpi_name[0]) return 0;
    base = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_X)) {
            text_start = (base + segment->p_vaddr) & ~(uintptr_t)4095;
            text_end = (base + segment->p_vaddr + segment->p_memsz + 4095) & ~(uintptr_t)4095;
        }
    }
    return 1;
}

static int compare(const void *a, const void *b) {
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

__attribute__((constructor)) static void start(void) {
    const char *in = getenv("ENTERED_IN"), *out = getenv("ENTERED_OUT");
    if (!in || !out) return;
    snprintf(out_path, sizeof out_path, "%s.%d", out, (int)getpid());
    dl_iterate_phdr(find_text, NULL);
    FILE *file = fopen(in, "r");
    if (!file || !text_start) return;
    size_t capacity = 1 << 20;
    entries = malloc(capacity * sizeof *entries);
    unsigned long value;
    while (fscanf(file, "%lx", &value) == 1 && count < capacity) {
        uintptr_t address = base + value;
        if (address >= text_start && address < text_end) entries[count++] = value;
    }
    fclose(file);
    qsort(entries, count, sizeof *entries, compare);
    size_t unique = 0;
    for (size_t i = 0; i < count; i++) if (!unique || entries[unique - 1] != entries[i]) entries[unique++] = entries[i];
    count = unique;
    saved = malloc(count);
    hit = calloc(count, 1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_trap;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    static int (*real)(int, const struct sigaction *, struct sigaction *);
    real = dlsym(RTLD_NEXT, "sigaction");
    real(SIGTRAP, &action, NULL);
    mprotect((void *)text_start, text_end - text_start, PROT_READ | PROT_WRITE | PROT_EXEC);
    for (size_t i = 0; i < count; i++) {
        unsigned char *byte = (unsigned char *)(base + entries[i]);
        saved[i] = *byte;
        *byte = 0xCC;
    }
    pthread_t thread;
    pthread_create(&thread, NULL, writer, NULL);
}
