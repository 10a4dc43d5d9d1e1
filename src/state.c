/*
 * state.c: the state file container (see state.h): a header, sections of
 * fixed-size records and a trailer with a CRC-32C, written beside the
 * target and renamed over it, verified whole before anything is read.
 *
 * Reading verifies in two passes over the file, the checksum first and
 * then the section chain, before handing the caller its first section.
 * So a caller never loads half a file: when state_open says yes, every
 * byte up to the trailer is the one that was written, and every section
 * length adds up.  The passes stream through a small buffer: a state
 * file may be tens of megabytes and is read once at start.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state.h"

#define STATE_MAGIC	"EXFILDST"
#define STATE_ENDMAGIC	"EXFILDEN"
#define STATE_BOM	0x01020304u

struct state_hdr {
	char		 magic[8];
	uint32_t	 format;	/* STATE_FORMAT */
	uint32_t	 bom;		/* STATE_BOM in the writer's byte order */
	uint32_t	 kind;		/* the caller's file type */
	uint32_t	 version;	/* the caller's layout version */
	uint32_t	 hdrlen;	/* sizeof(struct state_hdr) */
	uint32_t	 pad;
};

struct state_sec {
	uint32_t	 tag;
	uint32_t	 recsize;
	uint64_t	 count;
};

struct state_trl {
	char		 magic[8];
	uint64_t	 length;	/* bytes before the trailer */
	uint32_t	 crc;		/* CRC-32C of those bytes */
	uint32_t	 pad;
};

/* CRC-32C, reflected polynomial 0x82f63b78 (RFC 3720, appendix B.4). */
static const uint32_t state_crc_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c,
	0x26a1e7e8, 0xd4ca64eb, 0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
	0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24, 0x105ec76f, 0xe235446c,
	0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc,
	0xbc267848, 0x4e4dfb4b, 0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
	0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35, 0xaa64d611, 0x580f5512,
	0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad,
	0x1642ae59, 0xe4292d5a, 0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
	0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595, 0x417b1dbc, 0xb3109ebf,
	0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f,
	0xed03a29b, 0x1f682198, 0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
	0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38, 0xdbfc821c, 0x2997011f,
	0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e,
	0x4767748a, 0xb50cf789, 0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
	0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46, 0x7198540d, 0x83f3d70e,
	0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de,
	0xdde0eb2a, 0x2f8b6829, 0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
	0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93, 0x082f63b7, 0xfa44e0b4,
	0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b,
	0xb4091bff, 0x466298fc, 0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
	0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033, 0xa24bb5a6, 0x502036a5,
	0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975,
	0x0e330a81, 0xfc588982, 0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
	0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622, 0x38cc2a06, 0xcaa7a905,
	0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8,
	0xe52cc12c, 0x1747422f, 0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
	0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0, 0xd3d3e1ab, 0x21b862a8,
	0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78,
	0x7fab5e8c, 0x8dc0dd8f, 0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
	0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1, 0x69e9f0d5, 0x9b8273d6,
	0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69,
	0xd5cf889d, 0x27a40b9e, 0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
	0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

static int	 state_put(struct state_file *, const void *, size_t);
static int	 state_get(struct state_file *, void *, size_t);
static int	 state_sync_dir(const char *, char *, size_t);
static int	 state_verify(struct state_file *, uint64_t, uint32_t, uint32_t,
		    char *, size_t);

uint32_t
state_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len-- > 0)
		crc = state_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Every byte that goes to the file goes through here and into the CRC. */
static int
state_put(struct state_file *sf, const void *buf, size_t len)
{
	if (sf->failed)
		return -1;
	if (len > 0 && fwrite(buf, 1, len, sf->fp) != len) {
		sf->failed = errno != 0 ? errno : EIO;
		return -1;
	}
	sf->crc = state_crc32c(sf->crc, buf, len);
	sf->off += len;
	return 0;
}

static int
state_get(struct state_file *sf, void *buf, size_t len)
{
	if (len > 0 && fread(buf, 1, len, sf->fp) != len)
		return -1;
	sf->off += len;
	return 0;
}

int
state_create(struct state_file *sf, const char *path, uint32_t kind,
    uint32_t version, char *err, size_t errlen)
{
	struct state_hdr h;
	int fd;

	memset(sf, 0, sizeof(*sf));
	if (strlen(path) + 8 >= sizeof(sf->tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(sf->path, sizeof(sf->path), "%s", path);
	snprintf(sf->tmp, sizeof(sf->tmp), "%s.XXXXXX", path);
	/* mkstemp: a unique name, mode 0600, never follows a planted link. */
	if ((fd = mkstemp(sf->tmp)) == -1) {
		snprintf(err, errlen, "%s: cannot create temporary file: %s",
		    sf->tmp, strerror(errno));
		return -1;
	}
	if ((sf->fp = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", sf->tmp, strerror(errno));
		close(fd);
		unlink(sf->tmp);
		return -1;
	}
	sf->writing = 1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, STATE_MAGIC, sizeof(h.magic));
	h.format = STATE_FORMAT;
	h.bom = STATE_BOM;
	h.kind = kind;
	h.version = version;
	h.hdrlen = sizeof(h);
	if (state_put(sf, &h, sizeof(h)) == -1) {
		snprintf(err, errlen, "%s: %s", sf->tmp, strerror(sf->failed));
		state_abort(sf);
		return -1;
	}
	return 0;
}

int
state_section(struct state_file *sf, uint32_t tag, uint32_t recsize,
    uint64_t count)
{
	struct state_sec s;

	if (sf->expect != 0 || (recsize != 0 && count > UINT64_MAX / recsize)) {
		sf->failed = EINVAL;	/* previous section short, or absurd */
		return -1;
	}
	s.tag = tag;
	s.recsize = recsize;
	s.count = count;
	sf->expect = (uint64_t)recsize * count;
	return state_put(sf, &s, sizeof(s));
}

int
state_write(struct state_file *sf, const void *buf, size_t len)
{
	if (len > sf->expect) {
		sf->failed = EINVAL;	/* more than the section announced */
		return -1;
	}
	sf->expect -= len;
	return state_put(sf, buf, len);
}

static int
state_sync_dir(const char *path, char *err, size_t errlen)
{
	char dir[STATE_PATHMAX];
	char *slash;
	int fd, rc = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (fsync(fd) == -1 && errno != EINVAL) {
		snprintf(err, errlen, "%s: fsync: %s", dir, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int
state_commit(struct state_file *sf, char *err, size_t errlen)
{
	struct state_trl t;

	if (sf->expect != 0 && !sf->failed)
		sf->failed = EINVAL;
	if (sf->failed) {
		snprintf(err, errlen, "%s: write failed: %s", sf->tmp,
		    strerror(sf->failed));
		state_abort(sf);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	memcpy(t.magic, STATE_ENDMAGIC, sizeof(t.magic));
	t.length = sf->off;
	t.crc = sf->crc;
	if (fwrite(&t, 1, sizeof(t), sf->fp) != sizeof(t) ||
	    fflush(sf->fp) == EOF || fsync(fileno(sf->fp)) == -1) {
		snprintf(err, errlen, "%s: %s", sf->tmp, strerror(errno));
		state_abort(sf);
		return -1;
	}
	if (fclose(sf->fp) == EOF) {
		sf->fp = NULL;
		snprintf(err, errlen, "%s: %s", sf->tmp, strerror(errno));
		state_abort(sf);
		return -1;
	}
	sf->fp = NULL;
	if (rename(sf->tmp, sf->path) == -1) {
		snprintf(err, errlen, "rename %s to %s: %s", sf->tmp, sf->path,
		    strerror(errno));
		state_abort(sf);
		return -1;
	}
	sf->writing = 0;
	/* The rename itself is durable only once the directory is. */
	return state_sync_dir(sf->path, err, errlen);
}

void
state_abort(struct state_file *sf)
{
	if (sf->fp != NULL)
		fclose(sf->fp);
	sf->fp = NULL;
	if (sf->writing)
		unlink(sf->tmp);
	sf->writing = 0;
}

int
state_set_aside(const char *path, char *err, size_t errlen)
{
	char aside[STATE_PATHMAX + 64];
	size_t n = strlen(err);
	long long now = (long long)time(NULL);
	int i;

	/* The wall clock only names the file; no result depends on it. */
	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, now);
	for (i = 1; i < 100 && access(aside, F_OK) == 0; i++)
		snprintf(aside, sizeof(aside), "%s.corrupt-%lld.%d", path, now,
		    i);
	if (rename(path, aside) == -1) {
		if (n < errlen)
			snprintf(err + n, errlen - n, "; cannot move it aside: %s",
			    strerror(errno));
		return -1;
	}
	if (n < errlen)
		snprintf(err + n, errlen - n, "; moved to %s", aside);
	return 0;
}

/* Checksum, then the section chain; on success positioned after the header. */
static int
state_verify(struct state_file *sf, uint64_t size, uint32_t kind,
    uint32_t version, char *err, size_t errlen)
{
	struct state_hdr h;
	struct state_trl t;
	struct state_sec s;
	uint8_t buf[16384];
	uint64_t left, off;
	uint32_t crc = 0;
	size_t n;

	if (size < sizeof(h) + sizeof(t)) {
		snprintf(err, errlen, "%s: truncated (%llu bytes)", sf->path,
		    (unsigned long long)size);
		return -1;
	}
	if (state_get(sf, &h, sizeof(h)) == -1 ||
	    memcmp(h.magic, STATE_MAGIC, sizeof(h.magic)) != 0) {
		snprintf(err, errlen, "%s: not an exfild state file", sf->path);
		return -1;
	}
	if (h.bom != STATE_BOM) {
		snprintf(err, errlen, "%s: written on a machine of another "
		    "byte order", sf->path);
		return -1;
	}
	if (h.format != STATE_FORMAT || h.hdrlen != sizeof(h) ||
	    h.kind != kind || h.version != version) {
		snprintf(err, errlen, "%s: incompatible: format %u kind %08x "
		    "version %u, this exfild writes format %u kind %08x "
		    "version %u", sf->path, h.format, h.kind, h.version,
		    STATE_FORMAT, kind, version);
		return -1;
	}
	sf->end = size - sizeof(t);
	if (fseeko(sf->fp, (off_t)sf->end, SEEK_SET) == -1 ||
	    fread(&t, 1, sizeof(t), sf->fp) != sizeof(t) ||
	    memcmp(t.magic, STATE_ENDMAGIC, sizeof(t.magic)) != 0 ||
	    t.length != sf->end || t.pad != 0) {
		snprintf(err, errlen, "%s: truncated or overwritten (no valid "
		    "trailer)", sf->path);
		return -1;
	}
	rewind(sf->fp);
	for (left = sf->end; left > 0; left -= n) {
		n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		if (fread(buf, 1, n, sf->fp) != n) {
			snprintf(err, errlen, "%s: read error", sf->path);
			return -1;
		}
		crc = state_crc32c(crc, buf, n);
	}
	if (crc != t.crc) {
		snprintf(err, errlen, "%s: checksum mismatch (stored %08x, "
		    "computed %08x)", sf->path, t.crc, crc);
		return -1;
	}
	/* The checksum matched: now the lengths must add up exactly. */
	for (off = sizeof(h); off < sf->end; ) {
		if (sf->end - off < sizeof(s) ||
		    fseeko(sf->fp, (off_t)off, SEEK_SET) == -1 ||
		    fread(&s, 1, sizeof(s), sf->fp) != sizeof(s))
			break;
		off += sizeof(s);
		if (s.recsize != 0 && s.count > (sf->end - off) / s.recsize)
			break;
		off += (uint64_t)s.recsize * s.count;
	}
	if (off != sf->end) {
		snprintf(err, errlen, "%s: section lengths do not add up",
		    sf->path);
		return -1;
	}
	if (fseeko(sf->fp, (off_t)sizeof(h), SEEK_SET) == -1) {
		snprintf(err, errlen, "%s: %s", sf->path, strerror(errno));
		return -1;
	}
	sf->off = sizeof(h);
	return 0;
}

int
state_open(struct state_file *sf, const char *path, uint32_t kind,
    uint32_t version, char *err, size_t errlen)
{
	struct stat st;

	memset(sf, 0, sizeof(*sf));
	if (strlen(path) >= sizeof(sf->path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	snprintf(sf->path, sizeof(sf->path), "%s", path);
	if ((sf->fp = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			return 0;
		/* Unreadable is not corrupt: leave the file where it is. */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(sf->fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		state_close(sf);
		return -1;
	}
	if (state_verify(sf, (uint64_t)st.st_size, kind, version, err,
	    errlen) == -1) {
		state_close(sf);
		state_set_aside(path, err, errlen);
		return -1;
	}
	return 1;
}

int
state_next(struct state_file *sf, uint32_t *tag, uint32_t *recsize,
    uint64_t *count)
{
	struct state_sec s;

	if (sf->left > 0 && state_skip(sf) == -1)
		return -1;
	if (sf->off >= sf->end)
		return 0;
	if (state_get(sf, &s, sizeof(s)) == -1)
		return -1;
	*tag = s.tag;
	*recsize = s.recsize;
	*count = s.count;
	sf->left = (uint64_t)s.recsize * s.count;
	return 1;
}

int
state_read(struct state_file *sf, void *buf, size_t len)
{
	if (len > sf->left)
		return -1;
	if (state_get(sf, buf, len) == -1)
		return -1;
	sf->left -= len;
	return 0;
}

int
state_skip(struct state_file *sf)
{
	if (fseeko(sf->fp, (off_t)sf->left, SEEK_CUR) == -1)
		return -1;
	sf->off += sf->left;
	sf->left = 0;
	return 0;
}

void
state_close(struct state_file *sf)
{
	if (sf->fp != NULL)
		fclose(sf->fp);
	sf->fp = NULL;
}
