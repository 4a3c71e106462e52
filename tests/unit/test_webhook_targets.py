"""Which webhook URLs are public https targets: addresses, numeric forms, names resolving inside."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.domain.webhooks import (
    NotResolved,
    TargetRefused,
    is_public_address,
    resolve_target,
)


def _resolver(table: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    """A stand-in for getaddrinfo over a fixed table of names."""

    def resolve(host: str, _port: int) -> list[str]:
        if host not in table:
            raise OSError("no such name")
        return table[host]

    return resolve


NAMES = _resolver(
    {
        "hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "inside.example.com": ["10.1.2.3"],
        "metadata.example.com": ["169.254.169.254"],
        "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
        "v6loop.example.com": ["::1"],
        "mapped.example.com": ["::ffff:10.0.0.1"],
        "sixtofour.example.com": ["2002:a00:1::1"],
        "nat64.example.com": ["64:ff9b::a00:1"],
    }
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address judged, not bound
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",
        "64:ff9b::7f00:1",
        "2001:db8::1",
        "not an address",
    ],
)
def test_inside_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "ftp://hooks.example.com/x",
        "https://inside.example.com/x",
        "https://metadata.example.com/latest",
        "https://mixed.example.com/x",
        "https://v6loop.example.com/x",
        "https://mapped.example.com/x",
        "https://sixtofour.example.com/x",
        "https://nat64.example.com/x",
        "https://nowhere.example.com/x",
        "https://2130706433/x",
        "https://0x7f000001/x",
        "https://0x7f.1/x",
        "https://017700000001/x",
        "https://127.1/x",
        "https://[::1]/x",
        "https://[::ffff:7f00:1]/x",
        "https://user:secret@hooks.example.com/x",
        "https://hooks.example.com:99999/x",
        "https:///x",
        "https://ex ample.com/x",
        "https://a..b/x",
        "https://%41.example.com/x",
        "https://hooks.example.com:0/x",
        "https://" + "a" * 64 + ".example.com/x",
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(TargetRefused):
        resolve_target(url, allow_private=False, resolve=NAMES)


def test_a_public_name_resolves_to_the_addresses_delivery_connects_to() -> None:
    target = resolve_target(
        "https://Hooks.Example.com:8443/in?x=1", allow_private=False, resolve=NAMES
    )
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.com",
        8443,
        "/in?x=1",
    )
    assert target.addresses == ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")


def test_the_local_setting_allows_http_on_loopback_only_when_on() -> None:
    url = "http://127.0.0.1:8123/hooks"
    with pytest.raises(TargetRefused):
        resolve_target(url, allow_private=False, resolve=NAMES)
    assert resolve_target(url, allow_private=True, resolve=NAMES).addresses == ("127.0.0.1",)


def test_a_name_not_in_dns_yet_is_left_for_delivery_to_check() -> None:
    with pytest.raises(NotResolved):
        resolve_target("https://nowhere.example.com/x", allow_private=False, resolve=NAMES)
