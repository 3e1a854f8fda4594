/*
 * The least a TUN forwarder can do: two TUN devices, one thread per direction, each reading a packet from one device
 * and writing it to the other, nothing else (no routing, no TTL). With --vnet-hdr both devices are opened with
 * IFF_VNET_HDR, a 12-byte header (TUNSETVNETHDRSZ) and TUNSETOFFLOAD(CSUM|TSO4|TSO6), so the kernels hand over and
 * take 64 KiB TCP super-packets with their virtio-net header passed along unchanged: one read and one write per
 * super-packet instead of per 1500-byte packet. scripts/iperf3-compare.sh builds and runs it; it prints
 * "pumping <a> <b>" once both devices are open and runs until killed.
 *
 * Usage: tun-pump [--vnet-hdr] <device-a> <device-b>
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int open_tun(const char *name, int vnet) {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        perror("open /dev/net/tun");
        exit(1);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        exit(1);
    }
    if (vnet) {
        int size = 12;
        if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) {
            perror("TUNSETVNETHDRSZ");
            exit(1);
        }
        if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0) {
            perror("TUNSETOFFLOAD");
            exit(1);
        }
    }
    return fd;
}

struct direction {
    int from;
    int to;
};

static void *pump(void *argument) {
    struct direction *d = argument;
    static __thread unsigned char buffer[12 + 65536];
    for (;;) {
        ssize_t n = read(d->from, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("read");
            exit(1);
        }
        /* A write the kernel refuses (for example while the far side is still down) loses the packet, as a NIC would. */
        if (write(d->to, buffer, (size_t) n) < 0 && errno != EIO && errno != EINVAL) {
            perror("write");
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int vnet = argc > 1 && strcmp(argv[1], "--vnet-hdr") == 0;
    if (argc != 3 + vnet) {
        fprintf(stderr, "usage: %s [--vnet-hdr] <device-a> <device-b>\n", argv[0]);
        return 2;
    }
    int a = open_tun(argv[1 + vnet], vnet);
    int b = open_tun(argv[2 + vnet], vnet);
    struct direction ab = {a, b};
    struct direction ba = {b, a};
    pthread_t one;
    pthread_t two;
    pthread_create(&one, NULL, pump, &ab);
    pthread_create(&two, NULL, pump, &ba);
    printf("pumping %s %s%s\n", argv[1 + vnet], argv[2 + vnet], vnet ? " with IFF_VNET_HDR" : "");
    fflush(stdout);
    pthread_join(one, NULL);
    return 0;
}
