/*
 * capture.h: the capture thread — libpcap in, flow records and inspected
 * packets out.
 *
 * Owns: the pcap handle, the decoder, the flow table and the producer side
 * of the ring.  Calls: libpcap, decode, flow, ring.  It never blocks on the
 * analysis thread in live capture (a full ring drops and counts: the kernel
 * buffer must keep draining) but waits for it in offline replay, where
 * nothing may be lost and time is the file's.
 *
 * Counters are kept in plain fields on the hot path and published to an
 * atomic snapshot every few thousand packets, which is what the analysis
 * thread's stats line reads.
 *
 * API
 *   capture_open_live / capture_open_offline: open and configure libpcap.
 *   capture_run:   the thread body; returns at end of file or on stop.
 *   capture_stop:  ask the loop to return (signal-safe).
 *   capture_snapshot: copy the published counters.
 *   capture_close
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <pcap/pcap.h>
#include <stdatomic.h>

#include "decode.h"
#include "flow.h"
#include "pipeline.h"
#include "ring.h"

struct capture_counters {
	uint64_t	 packets;	/* frames read */
	uint64_t	 bytes;		/* wire bytes of decoded IP packets */
	uint64_t	 cap_bytes;	/* captured bytes read */
	uint64_t	 kernel_drops;	/* pcap_stats ps_drop */
	uint64_t	 ifdrops;	/* pcap_stats ps_ifdrop */
	uint64_t	 ring_drops_pkt;
	uint64_t	 ring_drops_rec;
	uint64_t	 ring_waits;	/* offline: times the ring was full */
	uint64_t	 flows;
	uint64_t	 flows_active;
	uint64_t	 evicted;
	uint64_t	 no_flow;	/* packets with no flow: table full and nothing evictable */
	uint64_t	 flow_mem;
	uint64_t	 decode[DEC_REASON_MAX];
	xtime_t		 now;		/* packet time */
};

struct capture {
	pcap_t		*pc;
	int		 dlt;
	int		 offline;
	int		 fd;		/* live: polled for packets; else -1 */
	int		 progress;	/* show replay progress on the terminal */
	uint64_t	 file_size;
	char		 source[256];	/* file or interface, for messages */
	char		*iobuf;		/* stdio buffer of an offline file */
	struct decoder	 dec;
	struct flow_table ft;
	struct ring	*ring;
	struct pipe_ctl	*ctl;
	int		 dpi_enabled;
	uint32_t	 dpi_limit;
	xtime_t		 now, last_tick, last_expire;
	struct capture_counters c;	/* hot, capture thread only */
	_Atomic uint64_t snap[sizeof(struct capture_counters) / 8];
	atomic_int	 stop;
	atomic_int	 done;
};

int	 capture_open_live(struct capture *, const char *ifname,
	    const char *bpf, int snaplen, uint64_t bufsize, int promisc,
	    char *err, size_t errlen);
int	 capture_open_offline(struct capture *, const char *path,
	    const char *bpf, char *err, size_t errlen);
int	 capture_setup(struct capture *, uint32_t max_flows, xtime_t idle,
	    xtime_t close, xtime_t update, int dpi_enabled, uint32_t dpi_limit,
	    struct ring *, struct pipe_ctl *, char *err, size_t errlen);
void	 capture_run(struct capture *);
void	 capture_stop(struct capture *);
void	 capture_snapshot(struct capture *, struct capture_counters *);
void	 capture_close(struct capture *);

#endif
