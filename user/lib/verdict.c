/*
 * Signed verdicts (see <verdict.h>): SHA-256 (FIPS 180-4), HMAC (RFC
 * 2104) and the one signed line a graded program ends with.
 *
 * Why user space signs: in batch grading every user program, the C
 * library included, is the instructor's pristine copy, and only the kernel
 * is the student's.  The kernel can rewrite what reaches the console and
 * what wait() returns, but not, without code written to dig the key out
 * of a process's memory, the signature a pristine program computes.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <verdict.h>

#include "libc.h"

/* ---- SHA-256 ------------------------------------------------------------ */

struct sha256 {
	uint32_t h[8];
	uint64_t len;			/* bytes hashed so far */
	unsigned char buf[64];
	unsigned int nbuf;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void
sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
		    K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void
sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->nbuf = 0;
}

static void
sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (n > 0) {
		unsigned int take = 64 - s->nbuf < n ? 64 - s->nbuf : (unsigned int)n;

		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take, p += take, n -= take;
		if (s->nbuf == 64) {
			sha256_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

static void
sha256_final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, be[8];

	sha256_update(s, &pad, 1);
	while (s->nbuf != 56)
		sha256_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		be[i] = bits >> (56 - 8 * i);
	sha256_update(s, be, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = s->h[i] >> 24, out[4 * i + 1] = s->h[i] >> 16;
		out[4 * i + 2] = s->h[i] >> 8, out[4 * i + 3] = s->h[i];
	}
}

/* HMAC-SHA256 with a 32-byte key (shorter than the 64-byte block). */
static void
hmac_sha256(const unsigned char key[32], const char *msg, size_t n, unsigned char out[32])
{
	unsigned char pad[64], inner[32];
	struct sha256 s;

	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, msg, n);
	sha256_final(&s, inner);

	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < 32; i++)
		pad[i] ^= key[i];
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, inner, 32);
	sha256_final(&s, out);
}

/* ---- the key and what is signed ------------------------------------------ */

#define NONCE_HEX	32	/* 128 bits */
#define MSG_MAX		8192

static struct {
	int have_key;
	unsigned char key[32];
	char nonce[NONCE_HEX + 1];
	int argc;
	char **argv;
	pid_t pid;			/* the process that prints the line */
	int planned;			/* -1: no "1..N" yet */
	char letters[VERDICT_MAXCHECKS + 1];
} v = { .planned = -1 };

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * /etc/verdict, as the grader writes it (grade/verdict.py):
 *	aqua6 verdict key v1
 *	key <64 hex digits>
 *	nonce <32 hex digits>
 * padded with blanks to the slot's size.  Anything else: no key.
 */
static int
read_key(void)
{
	char buf[256], *k, *n;
	ssize_t len;
	int fd;

	if ((fd = open(VERDICT_PATH, O_RDONLY)) < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if (strncmp(buf, "aqua6 verdict key v1\n", 21) != 0 ||
	    (k = strstr(buf, "\nkey ")) == NULL || (n = strstr(buf, "\nnonce ")) == NULL)
		return 0;
	k += 5, n += 7;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(k[2 * i]), lo = hexval(k[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		v.key[i] = hi << 4 | lo;
	}
	for (int i = 0; i < NONCE_HEX; i++) {
		if (hexval(n[i]) < 0)
			return 0;
		v.nonce[i] = n[i];
	}
	v.nonce[NONCE_HEX] = '\0';
	return 1;
}

/*
 * The signed message: every field on its own line, each argument with its
 * length first, so that no two different runs give the same bytes.
 */
static size_t
message(char *m, const char *kind, const char *summary)
{
	size_t n = snprintf(m, MSG_MAX, "aqua6 verdict v1\nkind %s\nnonce %s\nargc %d\n",
	    kind, v.nonce, v.argc);

	for (int i = 0; i < v.argc && n < MSG_MAX; i++)
		n += snprintf(m + n, MSG_MAX - n, "%lu %s\n", (unsigned long)strlen(v.argv[i]),
		    v.argv[i]);
	if (n < MSG_MAX)
		n += snprintf(m + n, MSG_MAX - n, "summary %s\n", summary);
	return n < MSG_MAX ? n : MSG_MAX - 1;
}

static void
print_signed(const char *prefix, const char *kind, const char *summary)
{
	static char m[MSG_MAX];
	unsigned char mac[32];
	size_t n = message(m, kind, summary);

	hmac_sha256(v.key, m, n, mac);
	printf("%s%s hmac ", prefix, summary);
	for (int i = 0; i < 32; i++)
		printf("%02x", mac[i]);
	printf("\n");
}

/* Runs from exit(): the exit status is in __exit_status by then. */
static void
verdict_atexit(void)
{
	static char summary[VERDICT_MAXCHECKS + 64];
	int n = v.planned;

	if (!v.have_key || getpid() != v.pid)
		return;
	if (n < 0) {
		/* No plan: sign what was reported, up to the highest number. */
		n = VERDICT_MAXCHECKS;
		while (n > 0 && v.letters[n - 1] == '?')
			n--;
	}
	snprintf(summary, sizeof(summary), "%d %.*s exit %d", n, n, v.letters,
	    __exit_status & 0xff);
	print_signed("# verdict ", "tap", summary);
}

int
verdict_begin(int argc, char **argv)
{
	v.argc = argc;
	v.argv = argv;
	v.pid = getpid();
	memset(v.letters, '?', VERDICT_MAXCHECKS);
	v.letters[VERDICT_MAXCHECKS] = '\0';
	if (!v.have_key && (v.have_key = read_key()))
		atexit(verdict_atexit);
	return v.have_key;
}

void
verdict_plan(int nchecks)
{
	/* Two different plans: keep the larger, so no check goes unsigned. */
	if (nchecks > v.planned)
		v.planned = nchecks <= VERDICT_MAXCHECKS ? nchecks : VERDICT_MAXCHECKS;
}

void
verdict_check(int number, int ok)
{
	if (number < 1 || number > VERDICT_MAXCHECKS)
		return;
	/* A check reported twice counts as failed if either report failed. */
	if (v.letters[number - 1] != 'F')
		v.letters[number - 1] = ok ? '.' : 'F';
}

void
verdict_sign_init(const char *summary)
{
	if (v.have_key)
		print_signed("init: verdict ", "init", summary);
}
