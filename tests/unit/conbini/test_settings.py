"""`conbini up` settings: flags over environment over defaults, bad values refused."""

from pathlib import Path

import pytest

from backbone.nats_server import NatsServerConfig
from conbini.settings import UpSettings


def test_defaults_run_everything_on_loopback_when_nothing_is_set() -> None:
    settings = UpSettings.from_env({})

    assert settings.data_dir == Path(".conbini").resolve()
    assert settings.nats_url is None
    assert (settings.nats_host, settings.nats_port) == ("127.0.0.1", 14222)
    assert settings.nats_sync_interval == "default"
    assert settings.stream_replicas == 1


def test_flags_win_over_the_environment_when_both_are_given(tmp_path: Path) -> None:
    env = {"CONBINI_DATA_DIR": "/elsewhere", "CONBINI_NATS_URL": "nats://env:4222"}

    settings = UpSettings.from_env(env, data_dir=str(tmp_path), nats_url="nats://flag:4222")

    assert settings.data_dir == tmp_path
    assert settings.nats_url == "nats://flag:4222"


def test_an_unknown_sync_interval_is_refused_when_read() -> None:
    with pytest.raises(ValueError, match="CONBINI_NATS_SYNC_INTERVAL"):
        UpSettings.from_env({"CONBINI_NATS_SYNC_INTERVAL": "sometimes"})


def test_server_config_fsyncs_each_write_when_sync_interval_is_always(tmp_path: Path) -> None:
    always = NatsServerConfig(store_dir=tmp_path, sync_interval="always").render()
    default = NatsServerConfig(store_dir=tmp_path).render()

    assert "sync_interval: always" in always
    assert "sync_interval" not in default
    assert f'store_dir: "{tmp_path}"' in default
