/*
 * state.h: the on-disk container that carries learned baselines across
 * restarts.
 *
 * Owns: one state file at a time, open for writing (a temporary file in
 * the destination's directory) or for reading (a verified file).  Calls:
 * libc and POSIX file calls only; knows nothing of what the sections hold,
 * so the baseline code (score.c, baseline.c) decides layout and meaning.
 * Never logs: every failure is a sentence in the caller's buffer.
 *
 * Why a container of its own: a daemon that loses weeks of learning to a
 * half-written file, or that trusts a file written by another version,
 * either alerts on everything or on nothing.  So
 *   - a save goes to "<path>.XXXXXX" in the same directory, is fsync'd,
 *     renamed over <path> and the directory is fsync'd: at every instant
 *     <path> is the old file or the new one, whole;
 *   - the file starts with a header (magic, container format, the caller's
 *     kind and version, a byte-order mark) and ends with a trailer (magic,
 *     payload length, CRC-32C of everything before it), so a flipped bit,
 *     a truncation or another program's file is recognised before a byte
 *     of it is used;
 *   - between them are sections: tag, record size and count, then the
 *     records.  A reader compares each record size with its own sizeof,
 *     so a layout change is "incompatible", never misread;
 *   - a file that fails any check is renamed "<path>.corrupt-<epoch>"
 *     (kept for inspection, out of the way of the next save) and the
 *     caller starts learning afresh.
 * Records are written in host byte order: the file belongs to the machine
 * that wrote it, and the byte-order mark refuses it anywhere else.
 *
 * CRC-32C (Castagnoli) is computed with a table in this file rather than
 * zlib so that the daemon needs no extra library for it; it detects every
 * burst error up to 32 bits, which covers the single flipped byte or
 * sector a crash leaves.
 *
 * API
 *   state_create:   open a temporary file beside path and write the header.
 *   state_section:  start a section of count records of recsize bytes.
 *   state_write:    append bytes to the current section.
 *   state_commit:   trailer, fsync, rename over path, fsync the directory.
 *   state_abort:    drop the temporary file (any error while writing).
 *   state_open:     verify a whole file and position at its first section;
 *                   1 opened, 0 no file, -1 rejected (moved aside).
 *   state_next:     header of the next section; 1, or 0 at the trailer.
 *   state_read:     read bytes of the current section.
 *   state_skip:     skip the rest of the current section.
 *   state_close:    close a file opened for reading.
 *   state_set_aside: rename a file to "<path>.corrupt-<epoch>".
 *   state_crc32c:   the checksum, exported for tests.
 */
#ifndef STATE_H
#define STATE_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_FORMAT	1		/* container layout version */
#define STATE_PATHMAX	4096

/* Section tags are four ASCII characters, e.g. STATE_TAG('H','O','S','T'). */
#define STATE_TAG(a, b, c, d)	((uint32_t)(a) | (uint32_t)(b) << 8 | \
				 (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

struct state_file {
	FILE		*fp;
	int		 writing;
	int		 failed;	/* a write failed: commit refuses */
	uint32_t	 crc;		/* running CRC-32C (writing) */
	uint64_t	 off;		/* bytes written or read so far */
	uint64_t	 end;		/* reading: offset of the trailer */
	uint64_t	 left;		/* bytes left in the current section */
	uint64_t	 expect;	/* writing: bytes the section announced */
	char		 path[STATE_PATHMAX];
	char		 tmp[STATE_PATHMAX];
};

int	 state_create(struct state_file *, const char *path, uint32_t kind,
	    uint32_t version, char *err, size_t errlen);
int	 state_section(struct state_file *, uint32_t tag, uint32_t recsize,
	    uint64_t count);
int	 state_write(struct state_file *, const void *, size_t);
int	 state_commit(struct state_file *, char *err, size_t errlen);
void	 state_abort(struct state_file *);

int	 state_open(struct state_file *, const char *path, uint32_t kind,
	    uint32_t version, char *err, size_t errlen);
int	 state_next(struct state_file *, uint32_t *tag, uint32_t *recsize,
	    uint64_t *count);
int	 state_read(struct state_file *, void *, size_t);
int	 state_skip(struct state_file *);
void	 state_close(struct state_file *);

/* Rename path aside; appends what happened to err. 0 or -1. */
int	 state_set_aside(const char *path, char *err, size_t errlen);
uint32_t state_crc32c(uint32_t crc, const void *, size_t);

#endif
