import pytest

from bot.settings import ConfigError, load_settings

GOOD = dict(wecom_corp_id="ww1", wecom_agent_id="1000002", wecom_agent_secret="s", wecom_token="Tok3n",
            wecom_encoding_aes_key="a" * 43, _env_file=None)


def test_good_settings_load_with_defaults():
    settings = load_settings(**GOOD)
    assert settings.database_url == "sqlite:///scrm.db"
    assert settings.redis_url is None
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.contact_secret.get_secret_value() == "s"


def test_a_42_character_aes_key_is_named_in_one_line():
    with pytest.raises(ConfigError) as error:
        load_settings(**dict(GOOD, wecom_encoding_aes_key="a" * 42))
    assert str(error.value) == "WECOM_ENCODING_AES_KEY: must be 43 characters, got 42"


def test_missing_settings_are_each_named_and_values_never_shown():
    with pytest.raises(ConfigError) as error:
        load_settings(wecom_agent_id="not-a-number", wecom_token="secret-token-value", _env_file=None)
    message = str(error.value)
    for name in ("WECOM_CORP_ID: is required", "WECOM_AGENT_ID:", "WECOM_AGENT_SECRET: is required",
                 "WECOM_ENCODING_AES_KEY: is required"):
        assert name in message
    assert "not-a-number" not in message and "secret-token-value" not in message


def test_secrets_are_masked_when_settings_are_printed():
    assert "Tok3n" not in repr(load_settings(**GOOD))


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ConfigError, match="SCRM_TIMEZONE"):
        load_settings(**dict(GOOD, scrm_timezone="Mars/Olympus"))


def test_a_custom_funnel_needs_no_stage_limits_and_keeps_the_defaults_it_shares():
    from bot.settings import load_settings

    settings = load_settings(wecom_corp_id="ww1", wecom_agent_id=1, wecom_agent_secret="s", wecom_token="t",
                             wecom_encoding_aes_key="a" * 43, scrm_stages="线索,拜访,方案报价,成交,流失",
                             _env_file=None)
    assert settings.jobs.stage_limits == {"方案报价": 14}
