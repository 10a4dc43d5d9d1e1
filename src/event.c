/*
 * event.c: detector names, as rule files spell them.  The names are part of
 * the rule-file format, so they never change once released.
 */
#include <strings.h>

#include "event.h"

static const char *const names[DET_MAX] = {
	[DET_NONE] = "none",
	[DET_VOLUME] = "volume",
	[DET_DNS_TUNNEL] = "dns_tunnel",
	[DET_DNS_FAILURES] = "dns_failures",
	[DET_DNS_LONG_TXT] = "dns_long_txt",
	[DET_DNS_NONSTD_PORT] = "dns_nonstandard_port",
	[DET_DNS_NOT_DNS] = "port53_not_dns",
	[DET_ICMP_TUNNEL] = "icmp_tunnel",
	[DET_ICMP_LARGE] = "icmp_large",
	[DET_HTTP_ARCHIVE_POST] = "http_archive_post",
	[DET_HTTP_RECON_POST] = "http_recon_post",
	[DET_HTTP_LARGE_UPLOAD] = "http_large_upload",
	[DET_HTTP_NUMERIC_HOST] = "http_numeric_host",
	[DET_TLS_SNICAT] = "tls_snicat",
	[DET_TLS_HIGH_VOLUME] = "tls_high_volume",
	[DET_TLS_NO_SNI_UPLOAD] = "tls_no_sni_upload",
	[DET_CLOUD_UPLOAD] = "cloud_upload",
	[DET_PORT_MISMATCH] = "port_mismatch",
	[DET_UNKNOWN_UPLOAD] = "unknown_protocol_upload",
	[DET_DNS_ENCRYPTED] = "dns_encrypted_tunnel",
	[DET_INTEL] = "threat_intel",
	[DET_CORRELATION] = "correlation",
};

const char *
detector_name(enum detector d)
{
	if (d < 0 || d >= DET_MAX || names[d] == NULL)
		return "unknown";
	return names[d];
}

enum detector
detector_from_name(const char *s)
{
	int i;

	for (i = 1; i < DET_MAX; i++)
		if (names[i] != NULL && strcasecmp(names[i], s) == 0)
			return (enum detector)i;
	return DET_NONE;
}
