#!/usr/bin/perl
#
# mkmmdb.pl: build small GeoIP2-shaped MaxMind databases from a TSV table, so
# that tests and generated scenarios know exactly which country, region and
# AS every address maps to.
#
#   perl tests/tools/mkmmdb.pl INPUT.tsv OUTDIR
#
# INPUT.tsv has one network per line:
#
#   network<TAB>country<TAB>region<TAB>asn<TAB>org[<TAB>city]
#
# network is IPv4 or IPv6 CIDR (a bare address means /32 or /128); country
# is ISO 3166-1 alpha-2 ("SE"); region is ISO 3166-2 ("US-VA") and must
# belong to the country; asn is a decimal AS number; org and city are free
# text.  "-", an empty field or an asn of 0 means absent.  Blank lines, lines
# starting with "#" and a header line starting with "network" are ignored.
#
# Writes OUTDIR/country.mmdb (GeoIP2-Country), OUTDIR/city.mmdb (GeoIP2-City)
# and OUTDIR/asn.mmdb (GeoLite2-ASN) with the record layout of MaxMind's own
# databases, so the daemon reads them through the same paths as real ones.
# Each file is written beside its final name and renamed into place, so a
# reader never sees half a database.
#
# The trees are IPv6 with IPv4 in ::/96 and aliased from ::ffff:0:0/96, as
# in MaxMind's databases: IPv4 lookups and IPv4-mapped lookups both work.
# Reserved networks (RFC 1918, TEST-NET, 2001:db8::/32) are kept, because
# generated traffic uses them.

use strict;
use warnings;

use File::Path qw(make_path);
use MaxMind::DB::Writer::Tree;

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
	city                           => 'map',
	country                        => 'map',
	en                             => 'utf8_string',
	iso_code                       => 'utf8_string',
	names                          => 'map',
	subdivisions                   => [ 'array', 'map' ],
);

# English names for the codes scenarios use most; others are named by code.
my %country_name = (
	AU => 'Australia',      BR => 'Brazil',         CA => 'Canada',
	CH => 'Switzerland',    CN => 'China',          DE => 'Germany',
	ES => 'Spain',          FR => 'France',         GB => 'United Kingdom',
	IE => 'Ireland',        IN => 'India',          IR => 'Iran',
	IT => 'Italy',          JP => 'Japan',          KP => 'North Korea',
	KR => 'South Korea',    NL => 'Netherlands',    RU => 'Russia',
	SE => 'Sweden',         SG => 'Singapore',      US => 'United States',
);

sub
usage
{
	print STDERR "usage: mkmmdb.pl INPUT.tsv OUTDIR\n";
	exit 2;
}

sub
absent
{
	my ($v) = @_;
	return !defined $v || $v eq '' || $v eq '-';
}

sub
new_tree
{
	my ($type, $desc) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version               => 6,
		record_size              => 28,
		database_type            => $type,
		languages                => ['en'],
		description              => { en => $desc },
		alias_ipv6_to_ipv4       => 1,
		remove_reserved_networks => 0,
		map_key_type_callback    => sub { $types{ $_[0] } },
	);
}

# Parse one data line into a hash, or die with the reason.
sub
parse_line
{
	my ($line) = @_;
	my @f = split /\t/, $line, -1;
	die "expected at least 5 tab-separated fields, got " . scalar(@f) . "\n"
	    if @f < 5;
	my ($net, $cc, $region, $asn, $org, $city) = @f;
	my %r;

	$net =~ s/^\s+|\s+$//g;
	die "empty network\n" if $net eq '';
	$net .= ($net =~ /:/ ? '/128' : '/32') unless $net =~ m{/};
	die "network $net: ::ffff:0:0/96 is an alias of IPv4, write the IPv4 " .
	    "network instead\n" if $net =~ /^::ffff:/i;
	$r{net} = $net;

	unless (absent($cc)) {
		die "country \"$cc\" is not an ISO 3166-1 alpha-2 code\n"
		    unless $cc =~ /^[A-Z]{2}$/;
		$r{cc} = $cc;
	}
	unless (absent($region)) {
		die "region \"$region\" is not an ISO 3166-2 code like US-VA\n"
		    unless $region =~ /^([A-Z]{2})-([A-Z0-9]{1,3})$/;
		my ($rcc, $sub) = ($1, $2);
		die "region $region given without a country\n"
		    unless defined $r{cc};
		die "region $region does not belong to country $r{cc}\n"
		    unless $rcc eq $r{cc};
		$r{sub} = $sub;
	}
	unless (absent($asn) || $asn eq '0') {
		die "asn \"$asn\" is not a number from 1 to 4294967295\n"
		    unless $asn =~ /^[0-9]{1,10}$/ && $asn <= 4294967295;
		$r{asn} = $asn + 0;
	}
	$r{org} = $org unless absent($org);
	$r{city} = $city unless absent($city);
	return \%r;
}

sub
insert
{
	my ($tree, $what, $r, $data) = @_;
	return if eval { $tree->insert_network($r->{net}, $data); 1 };
	(my $why = $@) =~ s/ at \S+ line \d+.*//s;
	die "network $r->{net}: cannot insert into $what: $why\n";
}

# The record shapes are MaxMind's: country.iso_code, subdivisions[0].iso_code,
# autonomous_system_number and autonomous_system_organization.
sub
add_network
{
	my ($country, $city, $asn, $r) = @_;
	my (%rec, %as);

	if (defined $r->{cc}) {
		my $c = { iso_code => $r->{cc},
		    names => { en => $country_name{ $r->{cc} } // $r->{cc} } };
		insert($country, 'country.mmdb', $r, { country => $c });
		$rec{country} = $c;
	}
	$rec{subdivisions} = [ { iso_code => $r->{sub} } ] if defined $r->{sub};
	$rec{city} = { names => { en => $r->{city} } } if defined $r->{city};
	insert($city, 'city.mmdb', $r, \%rec) if %rec;

	$as{autonomous_system_number} = $r->{asn} if defined $r->{asn};
	$as{autonomous_system_organization} = $r->{org} if defined $r->{org};
	insert($asn, 'asn.mmdb', $r, \%as) if %as;
}

sub
write_db
{
	my ($tree, $path) = @_;
	my $tmp = "$path.tmp.$$";
	open(my $fh, '>:raw', $tmp) or die "$tmp: $!\n";
	$tree->write_tree($fh);
	close($fh) or die "$tmp: $!\n";
	rename($tmp, $path) or die "rename $tmp to $path: $!\n";
}

sub
main
{
	usage() unless @ARGV == 2;
	my ($input, $outdir) = @ARGV;

	my $country = new_tree('GeoIP2-Country',
	    'exfild test country database');
	my $city = new_tree('GeoIP2-City', 'exfild test city database');
	my $asn = new_tree('GeoLite2-ASN', 'exfild test ASN database');

	open(my $in, '<', $input) or die "$input: $!\n";
	binmode($in, ':encoding(UTF-8)');
	while (my $line = <$in>) {
		$line =~ s/\r?\n\z//;
		next if $line =~ /^\s*(#|$)/ || $line =~ /^network\b/i;

		my $r = eval { parse_line($line) };
		die "$input:$.: $@" unless defined $r;

		eval { add_network($country, $city, $asn, $r); 1 }
		    or die "$input:$.: $@";
	}
	close($in);

	make_path($outdir) unless -d $outdir;
	write_db($country, "$outdir/country.mmdb");
	write_db($city, "$outdir/city.mmdb");
	write_db($asn, "$outdir/asn.mmdb");
}

eval { main(); 1 } or do {
	print STDERR "mkmmdb.pl: $@";
	exit 1;
};
exit 0;
