"""Where the API key may go, and what a key may look like.

The key travels in an HTTP header to the provider's address, so whoever sets that address decides who
receives the key. These checks are shared by AI School Settings (on save) and the gateway (on every call):

- the address must be ``https`` and every address its host resolves to must be public (not private,
  loopback, link-local, shared, reserved or multicast), unless the site explicitly allows a local provider
  (tests, self-hosted models);
- the key must be plain printable ASCII without spaces, because it is sent in a header: an invisible
  zero-width space pasted with it would otherwise fail deep inside the HTTP library.

Messages never quote the key.
"""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str], list[str]]


def api_key_problem(key: str) -> str | None:
	"""Why ``key`` can't be sent in an HTTP header, in words that don't quote it; None if it can."""
	for position, char in enumerate(key, start=1):
		if char.isspace():
			return f"the API key contains a space or line break (character {position})"
		if not char.isascii():
			return (
				f"the API key contains a character that is not plain ASCII (character {position}), "
				"often an invisible one copied along with the key"
			)
		if not char.isprintable():
			return f"the API key contains a control character (character {position})"
	return None


def destination(url: str) -> tuple[str, str, int | None]:
	"""``(scheme, host, port)`` of an address: where a key sent to it ends up."""
	parts = urlsplit((url or "").strip())
	try:
		port = parts.port
	except ValueError:
		port = None
	scheme = parts.scheme.lower()
	return scheme, (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(scheme)


def is_public_address(address: str) -> bool:
	"""True for a globally routable unicast address (IPv4-mapped IPv6 judged by its IPv4 part)."""
	try:
		ip = ipaddress.ip_address(address.split("%", 1)[0])
	except ValueError:
		return False
	if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
		ip = ip.ipv4_mapped
	return ip.is_global and not ip.is_multicast


def resolve(host: str) -> list[str]:
	"""Every address ``host`` resolves to (empty if it does not resolve)."""
	try:
		infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
	except (OSError, UnicodeError):
		return []
	return sorted({str(info[4][0]) for info in infos})


def provider_url_problem(url: str, *, allow_local: bool = False, resolver: Resolver = resolve) -> str | None:
	"""Why the key must not be sent to ``url``, or None.

	With ``allow_local`` any http(s) address is accepted. Otherwise the scheme must be https and the host
	must not be, or resolve to, a non-public address. A host that does not resolve at all is let through:
	nothing can be sent to it (the call fails with "connection failed"), and refusing it would stop
	settings from being saved on a server without DNS; the gateway also checks the address it actually
	connected to, so a name that later resolves somewhere private is still refused.
	"""
	parts = urlsplit((url or "").strip())
	if parts.scheme not in ("http", "https") or not parts.hostname:
		return "the provider address must be a web address such as https://openrouter.ai/api/v1"
	if parts.username or parts.password:
		return "the provider address must not contain a user name or password"
	if allow_local:
		return None
	if parts.scheme != "https":
		return "the provider address must use https"
	host = parts.hostname
	try:
		literal = ipaddress.ip_address(host)
	except ValueError:
		literal = None
	addresses = [str(literal)] if literal else resolver(host)
	private = [address for address in addresses if not is_public_address(address)]
	if host in ("localhost",) or host.endswith(".localhost") or private:
		return (
			f"the provider address {host} is on a private, loopback or link-local network; "
			"only public providers are allowed (a site administrator can allow a local provider "
			"in the site configuration)"
		)
	return None
