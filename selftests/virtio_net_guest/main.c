// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net-guest: a userspace virtio-net guest driver for the kernel's
 * vhost-net, so the virtio path (tap <-> vhost worker <-> virtqueues) can be
 * exercised without a VM.  See --help and Documentation.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "tap.h"

#define RING_NUM	256
#define MAX_QUEUES	16
#define ARP_TIMEOUT_S	3.0

static const char usage_text[] =
"Usage: virtio-net-guest --tap NAME [OPTIONS]\n"
"\n"
"A virtio-net guest in userspace: drives /dev/vhost-net with a tap as its\n"
"backend (the tap is created if missing and then lives while this runs).\n"
"\n"
"  -t, --tap NAME        tap device, in the current network namespace\n"
"  -m, --mode MODE       tx: send UDP to --peer; rx: count what arrives;\n"
"                        echo: answer ARP and ICMP echo (default);\n"
"                        relay: pass frames between vhost and --relay-tap\n"
"      --relay-tap NAME  relay mode: a plain tap (created if missing): what it\n"
"                        gives goes out on TX, what RX gets is written to it\n"
"      --mac MAC         the guest's MAC (default: random, locally administered)\n"
"  -i, --ip A.B.C.D      the guest's IPv4 address: ARP/ICMP answers, UDP source\n"
"  -p, --peer A.B.C.D    where tx mode sends to\n"
"      --peer-mac MAC    the peer's MAC (default: ask by ARP)\n"
"  -r, --rate RATE       tx rate in L2 bits/s, tc units (100mbit, 2gbit, 1MBps);\n"
"                        0 = flat out (default)\n"
"  -s, --size BYTES      UDP payload, 0..1472 (default 18: 60-byte frames)\n"
"  -d, --duration SECS   stop after SECS seconds (default: at SIGINT/SIGTERM)\n"
"  -c, --count N         tx: stop after N frames\n"
"  -q, --queues N        N queue pairs on a multiqueue tap, one vhost-net\n"
"                        device and one thread each (default 1)\n"
"  -j, --json            final statistics as one JSON line\n"
"  -v, --verbose         setup details and a 'ready' line on stderr\n"
"  -h, --help            this text\n"
"\n"
"At the end it prints packets, bytes, pps and bit rate (Ethernet frames,\n"
"header included) for each direction.\n";

static const struct option longopts[] = {
	{ "tap",	required_argument, NULL, 't' },
	{ "mode",	required_argument, NULL, 'm' },
	{ "mac",	required_argument, NULL, 'M' },
	{ "ip",		required_argument, NULL, 'i' },
	{ "peer",	required_argument, NULL, 'p' },
	{ "peer-mac",	required_argument, NULL, 'P' },
	{ "rate",	required_argument, NULL, 'r' },
	{ "size",	required_argument, NULL, 's' },
	{ "duration",	required_argument, NULL, 'd' },
	{ "count",	required_argument, NULL, 'c' },
	{ "queues",	required_argument, NULL, 'q' },
	{ "relay-tap",	required_argument, NULL, 'R' },
	{ "json",	no_argument,	   NULL, 'j' },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *const mode_names[] = {
	[VNG_TX] = "tx", [VNG_RX] = "rx", [VNG_ECHO] = "echo", [VNG_RELAY] = "relay",
};

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "virtio-net-guest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'virtio-net-guest --help'.\n");
	exit(2);
}

/* Rates as tc spells them: bits by default, case-insensitive units. */
static int parse_rate(const char *s, uint64_t *bps)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "", 1 }, { "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
		{ "tbit", 1e12 }, { "kibit", 1024. }, { "mibit", 1024. * 1024 },
		{ "gibit", 1024. * 1024 * 1024 }, { "tibit", 1024. * 1024 * 1024 * 1024 },
		{ "bps", 8 }, { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
		{ "tbps", 8e12 }, { "kibps", 8 * 1024. }, { "mibps", 8 * 1024. * 1024 },
		{ "gibps", 8 * 1024. * 1024 * 1024 },
		{ "tibps", 8 * 1024. * 1024 * 1024 * 1024 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcasecmp(end, units[i].unit)) {
			v *= units[i].mult;
			if (v > 1e15)
				return -1;
			*bps = (uint64_t)(v + 0.5);
			return 0;
		}
	}
	return -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char c;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &c) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = b[i];
	}
	return mac[0] & 1 ? -1 : 0;	/* no multicast source */
}

static int parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ip = a.s_addr;
	return 0;
}

static void parse_args(int argc, char **argv, struct vng_config *cfg)
{
	bool have_mac = false;
	uint64_t v;
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "t:m:i:p:r:s:d:c:q:jvh", longopts, NULL)) != -1) {
		switch (o) {
		case 't':
			cfg->tap = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "tx"))
				cfg->mode = VNG_TX;
			else if (!strcmp(optarg, "rx"))
				cfg->mode = VNG_RX;
			else if (!strcmp(optarg, "echo"))
				cfg->mode = VNG_ECHO;
			else if (!strcmp(optarg, "relay"))
				cfg->mode = VNG_RELAY;
			else
				usage_error("--mode is tx, rx, echo or relay, not '%s'", optarg);
			break;
		case 'M':
			if (parse_mac(optarg, cfg->mac))
				usage_error("bad --mac '%s' (XX:XX:XX:XX:XX:XX, unicast)", optarg);
			have_mac = true;
			break;
		case 'i':
			if (parse_ip(optarg, &cfg->ip))
				usage_error("bad --ip '%s'", optarg);
			break;
		case 'p':
			if (parse_ip(optarg, &cfg->peer_ip))
				usage_error("bad --peer '%s'", optarg);
			break;
		case 'P':
			if (parse_mac(optarg, cfg->peer_mac))
				usage_error("bad --peer-mac '%s' (XX:XX:XX:XX:XX:XX, unicast)", optarg);
			cfg->have_peer_mac = true;
			break;
		case 'r':
			if (parse_rate(optarg, &cfg->rate_bps))
				usage_error("bad --rate '%s' (bits/s, e.g. 20mbit, 1gbit, 0)", optarg);
			break;
		case 's':
			if (parse_u64(optarg, &v) || v > FRAME_MAX_PAYLOAD)
				usage_error("--size is 0..1472 bytes of UDP payload, not '%s'", optarg);
			cfg->size = v;
			break;
		case 'd':
			errno = 0;
			cfg->duration_s = strtod(optarg, &end);
			if (errno || end == optarg || *end || cfg->duration_s < 0)
				usage_error("bad --duration '%s' (seconds)", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, &cfg->count))
				usage_error("bad --count '%s'", optarg);
			break;
		case 'q':
			if (parse_u64(optarg, &v) || v < 1 || v > MAX_QUEUES)
				usage_error("--queues is 1..16, not '%s'", optarg);
			cfg->queues = v;
			break;
		case 'R':
			cfg->relay_tap = optarg;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'virtio-net-guest --help'.\n");
			exit(2);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!cfg->tap)
		usage_error("%s", "--tap NAME is required");
	if (cfg->mode == VNG_TX && !cfg->peer_ip)
		usage_error("%s", "--mode tx needs --peer");
	if (cfg->mode == VNG_RELAY && !cfg->relay_tap)
		usage_error("%s", "--mode relay needs --relay-tap NAME");
	if (cfg->mode != VNG_RELAY && cfg->relay_tap)
		usage_error("%s", "--relay-tap is for --mode relay");
	if (cfg->mode == VNG_RELAY && cfg->queues != 1)
		usage_error("%s", "--mode relay takes one queue pair");
	if (cfg->relay_tap && !strcmp(cfg->relay_tap, cfg->tap))
		usage_error("%s", "--relay-tap must differ from --tap");
	if ((cfg->mode == VNG_TX || cfg->mode == VNG_ECHO) && !cfg->ip)
		usage_error("--mode %s needs --ip", mode_names[cfg->mode]);
	if (!have_mac) {
		/* 02:76:6e ("vn"), locally administered, and three random bytes. */
		cfg->mac[0] = 0x02;
		cfg->mac[1] = 0x76;
		cfg->mac[2] = 0x6e;
		if (getrandom(cfg->mac + 3, 3, 0) != 3) {
			pid_t pid = getpid();

			memcpy(cfg->mac + 3, &pid, 3);
		}
	}
}

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&vng_stop, 1, __ATOMIC_RELAXED);
}

static bool stopped(void)
{
	return __atomic_load_n(&vng_stop, __ATOMIC_RELAXED);
}

/* The tap's name as a JSON string body: names may hold any byte but '/'. */
static void json_name(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
}

static void sum_stats(const struct vng_queue *qs, unsigned int n, struct vng_stats *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		const struct vng_stats *q = &qs[i].st;

		s->tx_packets += q->tx_packets;
		s->tx_bytes += q->tx_bytes;
		s->rx_packets += q->rx_packets;
		s->rx_bytes += q->rx_bytes;
		s->arp_replies += q->arp_replies;
		s->icmp_replies += q->icmp_replies;
		s->rx_other += q->rx_other;
		s->reply_drops += q->reply_drops;
		s->tx_ring_full += q->tx_ring_full;
		s->relay_in += q->relay_in;
		s->relay_out += q->relay_out;
		s->relay_drops += q->relay_drops;
		s->kicks += q->kicks;
		s->wakeups += q->wakeups;
		if (!s->start_ns || (q->start_ns && q->start_ns < s->start_ns))
			s->start_ns = q->start_ns;
		if (q->end_ns > s->end_ns)
			s->end_ns = q->end_ns;
	}
}

static void print_stats(const struct vng_config *cfg, const struct vng_stats *s)
{
	double secs = s->end_ns > s->start_ns ? (s->end_ns - s->start_ns) / 1e9 : 0;
	double tx_pps = secs ? s->tx_packets / secs : 0, rx_pps = secs ? s->rx_packets / secs : 0;
	double tx_bps = secs ? s->tx_bytes * 8 / secs : 0, rx_bps = secs ? s->rx_bytes * 8 / secs : 0;

	if (cfg->json) {
		printf("{\"tap\":\"");
		json_name(cfg->tap);
		printf("\",\"mode\":\"%s\",\"queues\":%u,\"seconds\":%.6f,"
		       "\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_pps\":%.1f,\"tx_bps\":%.0f,"
		       "\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_pps\":%.1f,\"rx_bps\":%.0f,"
		       "\"arp_replies\":%llu,\"icmp_replies\":%llu,\"rx_other\":%llu,"
		       "\"reply_drops\":%llu,\"tx_ring_full\":%llu,\"relay_in\":%llu,"
		       "\"relay_out\":%llu,\"relay_drops\":%llu,\"kicks\":%llu,"
		       "\"wakeups\":%llu}\n",
		       mode_names[cfg->mode], cfg->queues, secs,
		       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		       tx_pps, tx_bps,
		       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		       rx_pps, rx_bps,
		       (unsigned long long)s->arp_replies, (unsigned long long)s->icmp_replies,
		       (unsigned long long)s->rx_other, (unsigned long long)s->reply_drops,
		       (unsigned long long)s->tx_ring_full, (unsigned long long)s->relay_in,
		       (unsigned long long)s->relay_out, (unsigned long long)s->relay_drops,
		       (unsigned long long)s->kicks, (unsigned long long)s->wakeups);
	} else {
		printf("virtio-net-guest: tap %s, mode %s, %u queue pair%s, %.3f s\n",
		       cfg->tap, mode_names[cfg->mode], cfg->queues,
		       cfg->queues > 1 ? "s" : "", secs);
		printf("tx: %llu packets, %llu bytes, %.0f pps, %.3f Mbit/s\n",
		       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		       tx_pps, tx_bps / 1e6);
		printf("rx: %llu packets, %llu bytes, %.0f pps, %.3f Mbit/s\n",
		       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		       rx_pps, rx_bps / 1e6);
		printf("answered: %llu ARP, %llu ICMP echo; rx other %llu, reply drops %llu, "
		       "tx ring full %llu\n",
		       (unsigned long long)s->arp_replies, (unsigned long long)s->icmp_replies,
		       (unsigned long long)s->rx_other, (unsigned long long)s->reply_drops,
		       (unsigned long long)s->tx_ring_full);
		if (cfg->mode == VNG_RELAY)
			printf("relayed: %llu frames to %s, %llu from %s, %llu drops\n",
			       (unsigned long long)s->relay_out, cfg->relay_tap,
			       (unsigned long long)s->relay_in, cfg->relay_tap,
			       (unsigned long long)s->relay_drops);
	}
	fflush(stdout);
}

static void fmt_mac(char *buf, const uint8_t *m)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int main(int argc, char **argv)
{
	struct vng_config cfg = { .mode = VNG_ECHO, .size = 18, .queues = 1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct vng_queue *qs = NULL;
	int tap_fds[MAX_QUEUES], relay_fd = -1;
	unsigned int i, opened = 0, started = 0;
	bool created, relay_created = false, tap_ok = false, thread_err = false;
	struct vng_stats total;
	char mac[18], pmac[18];
	uint64_t t0;
	int ret = 1;

	parse_args(argc, argv, &cfg);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	qs = calloc(cfg.queues, sizeof(*qs));
	if (!qs) {
		perror("virtio-net-guest: calloc");
		return 1;
	}
	if (tap_open(cfg.tap, tap_fds, cfg.queues, &created))
		goto out;
	tap_ok = true;
	if (cfg.relay_tap) {
		relay_fd = tap_open_plain(cfg.relay_tap, &relay_created);
		if (relay_fd < 0)
			goto out;
	}
	for (i = 0; i < cfg.queues; i++) {
		qs[i].index = i;
		qs[i].cfg = &cfg;
		qs[i].relay_fd = relay_fd;
		qs[i].rate_bps = cfg.rate_bps / cfg.queues;
		qs[i].count = cfg.count / cfg.queues + (i < cfg.count % cfg.queues);
		if (vnet_open(&qs[i].vnet, tap_fds[i], RING_NUM))
			goto out;
		opened++;
	}
	fmt_mac(mac, cfg.mac);
	if (cfg.verbose)
		fprintf(stderr, "virtio-net-guest: tap %s (%s), %u queue pair%s, features 0x%llx, "
			"virtio-net header %zu bytes, mac %s\n", cfg.tap,
			created ? "created" : "existing", cfg.queues, cfg.queues > 1 ? "s" : "",
			(unsigned long long)qs[0].vnet.features, qs[0].vnet.hdr_len, mac);
	if (cfg.verbose && cfg.relay_tap)
		fprintf(stderr, "virtio-net-guest: relay tap %s (%s)\n", cfg.relay_tap,
			relay_created ? "created" : "existing");

	if (cfg.mode == VNG_TX) {
		if (!cfg.have_peer_mac &&
		    vng_resolve_peer(qs, cfg.queues, &cfg, ARP_TIMEOUT_S) && !stopped())
			goto out;
		for (i = 0; i < cfg.queues; i++)
			vng_prepare(&qs[i]);
		if (cfg.verbose) {
			fmt_mac(pmac, cfg.peer_mac);
			fprintf(stderr, "virtio-net-guest: peer %s\n", pmac);
		}
	}
	if (cfg.verbose)
		fprintf(stderr, "virtio-net-guest: ready\n");

	/* A signal before the start still ends with (empty) statistics. */
	t0 = vng_now_ns();
	for (started = 0; started < cfg.queues && !stopped(); started++) {
		errno = pthread_create(&qs[started].thread, NULL, vng_run, &qs[started]);
		if (errno) {
			perror("virtio-net-guest: pthread_create");
			__atomic_store_n(&vng_stop, 1, __ATOMIC_RELAXED);
			thread_err = true;
			break;
		}
	}
	while (!stopped() && __atomic_load_n(&vng_done, __ATOMIC_ACQUIRE) < started) {
		struct timespec ts = { .tv_nsec = 10000000 };

		if (cfg.duration_s > 0 && vng_now_ns() - t0 >= cfg.duration_s * 1e9)
			break;
		nanosleep(&ts, NULL);
	}
	__atomic_store_n(&vng_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < started; i++)
		pthread_join(qs[i].thread, NULL);
	if (!thread_err) {
		sum_stats(qs, cfg.queues, &total);
		print_stats(&cfg, &total);
		ret = 0;
	}

out:
	for (i = 0; i < opened; i++)
		vnet_close(&qs[i].vnet);
	if (tap_ok)
		tap_close(tap_fds, cfg.queues);
	if (relay_fd >= 0)
		close(relay_fd);
	free(qs);
	return ret;
}
