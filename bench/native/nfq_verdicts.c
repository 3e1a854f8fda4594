/*
 * nfq_verdicts: the Linux NFQUEUE peer of the verdict benchmark (docs/benchmarks.md), over libnetfilter_queue.
 *
 *     nfq_verdicts queue QUEUE one|batch
 *         The verdict program: takes every packet of queue QUEUE (the whole packet copied to user mode, as the nbl4j
 *         driver copies it into the RECEIVE output) and accepts it (NF_ACCEPT): one verdict message per packet ("one",
 *         nfq_set_verdict), or one per burst ("batch", nfq_set_verdict_batch on the last packet id of what one drain
 *         of the socket brought, at most 128). Prints "ready", and on SIGTERM "verdicts=N verdict_messages=N
 *         queue_cpu_us_per_verdict=C" (C over its whole life, warm-up included; the kernel's re-injection of an
 *         accepted packet runs in its verdict call, so it is counted here).
 *
 *     nfq_verdicts traffic ADDRESS PORT WINDOW WARMUP_SECONDS SECONDS
 *         The traffic: UDP datagrams of 36 bytes (64-byte IPv4 packets) from a socket to ADDRESS:PORT, which a second
 *         socket receives, at most WINDOW sent and not yet received (the window the nbl4j side keeps between its two
 *         adapters). Each carries its send time; the receiver records send-to-receive latency in 100 ns buckets.
 *         Prints "packets=N seconds=S packets_per_s=R p50_us=X p99_us=Y lost=N traffic_cpu_us_per_packet=C" for the
 *         measured seconds (C: this process's CPU time, which includes the kernel's work in its send and receive
 *         calls, the queueing among it, per packet).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 36
#define BUCKET_NANOS 100
#define BUCKETS 1000000
#define MAX_BATCH 128

static volatile sig_atomic_t stopping;

static void on_signal(int signum) {
    (void)signum;
    stopping = 1;
}

/* user + system CPU time of this process so far */
static uint64_t cpu_nanos(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return ((uint64_t)usage.ru_utime.tv_sec + (uint64_t)usage.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)usage.ru_utime.tv_usec + (uint64_t)usage.ru_stime.tv_usec) * 1000u;
}

static uint64_t now_nanos(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- the verdict program ---- */

static int batch_mode;
static uint32_t last_id;
static unsigned batched;
static unsigned long long verdicts, verdict_messages;

static int on_packet(struct nfq_q_handle *queue, struct nfgenmsg *message, struct nfq_data *packet, void *data) {
    (void)message;
    (void)data;
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(packet);
    uint32_t id = ntohl(header->packet_id);
    unsigned char *bytes;
    if (nfq_get_payload(packet, &bytes) < 20) {
        fprintf(stderr, "nfq_verdicts: a packet without its bytes\n");
    }
    verdicts++;
    if (!batch_mode) {
        verdict_messages++;
        return nfq_set_verdict(queue, id, NF_ACCEPT, 0, NULL);
    }
    last_id = id;
    if (++batched >= MAX_BATCH) {
        batched = 0;
        verdict_messages++;
        return nfq_set_verdict_batch(queue, id, NF_ACCEPT);
    }
    return 0;
}

static int serve_queue(int queue_number, const char *mode) {
    batch_mode = strcmp(mode, "batch") == 0;
    struct nfq_handle *handle = nfq_open();
    if (handle == NULL) {
        perror("nfq_open");
        return 1;
    }
    struct nfq_q_handle *queue = nfq_create_queue(handle, (uint16_t)queue_number, on_packet, NULL);
    if (queue == NULL) {
        perror("nfq_create_queue");
        return 1;
    }
    if (nfq_set_mode(queue, NFQNL_COPY_PACKET, 0xFFFF) < 0 || nfq_set_queue_maxlen(queue, 4096) < 0) {
        perror("nfq_set_mode");
        return 1;
    }
    nfnl_rcvbufsiz(nfq_nfnlh(handle), 8 << 20);
    int fd = nfq_fd(handle);
    int on = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);
    struct timeval tick = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    printf("ready\n");
    fflush(stdout);

    static char buffer[1 << 16] __attribute__((aligned));
    while (!stopping) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        while (n > 0) {
            nfq_handle_packet(handle, buffer, (int)n);
            n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        }
        /* the socket is drained: one verdict for the burst */
        if (batched > 0) {
            batched = 0;
            verdict_messages++;
            nfq_set_verdict_batch(queue, last_id, NF_ACCEPT);
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            perror("recv");
            return 1;
        }
    }
    nfq_destroy_queue(queue);
    nfq_close(handle);
    printf("verdicts=%llu verdict_messages=%llu queue_cpu_us_per_verdict=%.2f\n", verdicts, verdict_messages,
           verdicts ? cpu_nanos() / 1e3 / (double)verdicts : 0.0);
    return 0;
}

/* ---- the traffic ---- */

static atomic_ullong received;
/* the sender waits here while its window is full; the receiver wakes it once the window is half empty */
static pthread_mutex_t window_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t window_open = PTHREAD_COND_INITIALIZER;
static atomic_int sender_waiting;
static atomic_ullong sent_so_far;
static int window_size;
static atomic_int recording, traffic_done;
static uint64_t *buckets;

static void *receive_loop(void *argument) {
    int fd = *(int *)argument;
    unsigned char payload[PAYLOAD];
    while (!atomic_load(&traffic_done)) {
        ssize_t n = recv(fd, payload, sizeof payload, 0);
        if (n != PAYLOAD) {
            continue; /* the receive timeout: look at traffic_done */
        }
        uint64_t sent;
        memcpy(&sent, payload + 8, sizeof sent);
        if (atomic_load_explicit(&recording, memory_order_relaxed)) {
            uint64_t bucket = (now_nanos() - sent) / BUCKET_NANOS;
            buckets[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
        }
        uint64_t done = atomic_fetch_add_explicit(&received, 1, memory_order_release) + 1;
        if (atomic_load(&sender_waiting) && atomic_load(&sent_so_far) - done <= (uint64_t)window_size / 2) {
            pthread_mutex_lock(&window_lock);
            atomic_store(&sender_waiting, 0);
            pthread_cond_signal(&window_open);
            pthread_mutex_unlock(&window_lock);
        }
    }
    return NULL;
}

static double percentile_micros(double fraction) {
    uint64_t total = 0;
    for (int i = 0; i < BUCKETS; i++) {
        total += buckets[i];
    }
    uint64_t rank = (uint64_t)ceil(fraction * (double)total), seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += buckets[i];
        if (seen >= rank && seen > 0) {
            return (i + 0.5) * BUCKET_NANOS / 1000.0;
        }
    }
    return NAN;
}

static int run_traffic(const char *address, int port, int window, int warmup, int seconds) {
    buckets = calloc(BUCKETS, sizeof *buckets);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (buckets == NULL || inet_pton(AF_INET, address, &to.sin_addr) != 1) {
        fprintf(stderr, "nfq_verdicts: bad address or no memory\n");
        return 2;
    }
    int receiver = socket(AF_INET, SOCK_DGRAM, 0);
    int sender = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 8 << 20;
    setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct timeval tick = {0, 100000};
    setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    if (bind(receiver, (struct sockaddr *)&to, sizeof to) < 0 || connect(sender, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("bind/connect");
        return 1;
    }
    window_size = window;
    pthread_t thread;
    pthread_create(&thread, NULL, receive_loop, &receiver);

    unsigned char payload[PAYLOAD] = {0};
    uint64_t sent = 0, lost = 0;
    uint64_t start = now_nanos(), measure_from = start + (uint64_t)warmup * 1000000000u;
    uint64_t end = measure_from + (uint64_t)seconds * 1000000000u;
    uint64_t received_at_start = 0, measured_start = 0, stalled_since = 0, cpu_at_start = 0;
    int measuring = 0;
    for (;;) {
        uint64_t now = now_nanos();
        if (!measuring && now >= measure_from) {
            measuring = 1;
            received_at_start = atomic_load(&received);
            measured_start = now;
            atomic_store(&recording, 1);
            cpu_at_start = cpu_nanos();
        }
        if (now >= end) {
            break;
        }
        uint64_t in_flight = sent - lost - atomic_load_explicit(&received, memory_order_acquire);
        if (in_flight >= (uint64_t)window) {
            /* a packet the queue or a socket dropped would close the window for good: give it up after 50 ms */
            if (stalled_since == 0) {
                stalled_since = now;
            } else if (now - stalled_since > 50000000u) {
                lost += in_flight;
                stalled_since = 0;
            }
            /* wait (not spin, which would take a core from the queue program) until half empty, or 1 ms */
            pthread_mutex_lock(&window_lock);
            atomic_store(&sent_so_far, sent - lost);
            atomic_store(&sender_waiting, 1);
            if (sent - lost - atomic_load(&received) > (uint64_t)window / 2) {
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_nsec += 1000000;
                if (until.tv_nsec >= 1000000000) {
                    until.tv_sec++;
                    until.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&window_open, &window_lock, &until);
            }
            atomic_store(&sender_waiting, 0);
            pthread_mutex_unlock(&window_lock);
            continue;
        }
        stalled_since = 0;
        memcpy(payload, &sent, sizeof sent);
        uint64_t stamp = now_nanos();
        memcpy(payload + 8, &stamp, sizeof stamp);
        if (send(sender, payload, sizeof payload, 0) == PAYLOAD) {
            sent++;
        }
    }
    uint64_t elapsed = now_nanos() - measured_start;
    uint64_t packets = atomic_load(&received) - received_at_start;
    uint64_t cpu = cpu_nanos() - cpu_at_start;
    atomic_store(&recording, 0);
    atomic_store(&traffic_done, 1);
    pthread_join(thread, NULL);
    printf("packets=%llu seconds=%.2f packets_per_s=%.0f p50_us=%.1f p99_us=%.1f lost=%llu"
           " traffic_cpu_us_per_packet=%.2f\n",
           (unsigned long long)packets, elapsed / 1e9, packets / (elapsed / 1e9), percentile_micros(0.50),
           percentile_micros(0.99), (unsigned long long)lost, packets ? cpu / 1e3 / (double)packets : 0.0);
    return 0;
}

int main(int argc, char **argv) {
    struct sigaction action = {0};
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    if (argc == 4 && strcmp(argv[1], "queue") == 0) {
        return serve_queue(atoi(argv[2]), argv[3]);
    }
    if (argc == 7 && strcmp(argv[1], "traffic") == 0) {
        return run_traffic(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
    }
    fprintf(stderr, "usage: nfq_verdicts queue QUEUE one|batch\n"
                    "       nfq_verdicts traffic ADDRESS PORT WINDOW WARMUP_SECONDS SECONDS\n");
    return 2;
}
