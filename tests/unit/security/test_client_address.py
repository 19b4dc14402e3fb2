"""Who the client is behind reverse proxies: only trusted proxies may name it."""

import pytest

from backbone.clientaddr import (
    client_address,
    parse_address,
    rate_limit_key,
    trusted_networks,
)
from notify.settings import NotifySettings

PROXIES = trusted_networks("10.0.0.0/8, 192.168.1.5, fd00::/8")


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert client_address("198.51.100.7", ["203.0.113.9"], ()) == "198.51.100.7"
    assert client_address("10.0.0.2", ["203.0.113.9"], trusted_networks("")) == "10.0.0.2"


def test_behind_a_trusted_proxy_the_forwarded_client_counts() -> None:
    assert client_address("10.0.0.2", ["203.0.113.9"], PROXIES) == "203.0.113.9"
    assert client_address("192.168.1.5", ["203.0.113.9"], PROXIES) == "203.0.113.9"


def test_the_right_most_untrusted_hop_is_the_client_and_forged_entries_left_of_it_are_not() -> None:
    # The caller wrote "1.2.3.4"; our proxies appended the real client and themselves.
    header = ["1.2.3.4, 203.0.113.9, 10.1.1.1"]

    assert client_address("10.0.0.2", header, PROXIES) == "203.0.113.9"


def test_a_forged_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address("198.51.100.7", ["10.0.0.1, 203.0.113.9"], PROXIES) == "198.51.100.7"
    assert client_address("192.168.1.6", ["203.0.113.9"], PROXIES) == "192.168.1.6"


def test_several_header_lines_are_read_in_order() -> None:
    lines = ["1.2.3.4", "203.0.113.9", "10.1.1.1"]

    assert client_address("10.0.0.2", lines, PROXIES) == "203.0.113.9"


def test_a_chain_of_only_trusted_hops_names_the_left_most() -> None:
    assert client_address("10.0.0.2", ["10.9.9.9, 10.1.1.1"], PROXIES) == "10.9.9.9"
    assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", [" , "], PROXIES) == "10.0.0.2"


def test_garbage_in_the_chain_ends_it_at_the_last_trusted_hop() -> None:
    assert client_address("10.0.0.2", ["203.0.113.9, unknown"], PROXIES) == "10.0.0.2"
    assert client_address("10.0.0.2", ["evil, 10.1.1.1"], PROXIES) == "10.1.1.1"


def test_ipv6_peers_and_hops() -> None:
    assert client_address("fd00::1", ["2001:db8::7"], PROXIES) == "2001:db8::7"
    assert client_address("fd00::1", ["[2001:db8::7]:51234, fd00::9"], PROXIES) == "2001:db8::7"
    assert client_address("2001:db8::66", ["2001:db8::7"], PROXIES) == "2001:db8::66"
    assert client_address("::ffff:10.0.0.2", ["203.0.113.9"], PROXIES) == "203.0.113.9"
    assert client_address("fd00::1", ["2001:DB8:0:0::7"], PROXIES) == "2001:db8::7"


def test_addresses_as_proxies_write_them() -> None:
    assert str(parse_address("203.0.113.9:443")) == "203.0.113.9"
    assert str(parse_address("[2001:db8::1]:8443")) == "2001:db8::1"
    assert str(parse_address(" ::ffff:192.0.2.1 ")) == "192.0.2.1"
    assert parse_address("unknown") is None
    assert parse_address("testclient") is None


def test_a_peer_that_is_no_address_is_its_own_key() -> None:
    assert client_address("testclient", ["203.0.113.9"], PROXIES) == "testclient"


def test_rate_limits_count_an_ipv6_customer_by_its_64() -> None:
    assert rate_limit_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert rate_limit_key("2001:db8:1:2:bbbb::9") == rate_limit_key("2001:db8:1:2:aaaa::1")
    assert rate_limit_key("2001:db8:1:3::1") != rate_limit_key("2001:db8:1:2::1")
    assert rate_limit_key("203.0.113.9") == "203.0.113.9"
    assert rate_limit_key("testclient") == "testclient"


@pytest.mark.parametrize("entry", ["proxy.internal", "10.0.0.1/8", "10.0.0.0/33", "*"])
def test_a_trusted_proxies_setting_that_is_not_networks_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="CONBINI_TRUSTED_PROXIES"):
        trusted_networks(f"10.0.0.0/8,{entry}")


def test_notify_reads_its_trusted_proxies_from_the_environment() -> None:
    env = {"CONBINI_STORE": "memory", "CONBINI_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}

    assert NotifySettings.from_env(env).trusted_proxies == ("10.0.0.0/8", "::1/128")
    assert NotifySettings.from_env({"CONBINI_STORE": "memory"}).trusted_proxies == ()
