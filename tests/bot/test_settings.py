import pytest

from bot.settings import ConfigError, load_settings

GOOD = dict(
    wecom_corp_id="ww1",
    wecom_agent_id="1000002",
    wecom_agent_secret="s",
    wecom_token="Tok3n",
    wecom_encoding_aes_key="a" * 43,
    _env_file=None,
)


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
    for name in (
        "WECOM_CORP_ID: is required",
        "WECOM_AGENT_ID:",
        "WECOM_AGENT_SECRET: is required",
        "WECOM_ENCODING_AES_KEY: is required",
    ):
        assert name in message
    assert "not-a-number" not in message and "secret-token-value" not in message


def test_secrets_are_masked_when_settings_are_printed():
    assert "Tok3n" not in repr(load_settings(**GOOD))


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ConfigError, match="SCRM_TIMEZONE"):
        load_settings(**dict(GOOD, scrm_timezone="Mars/Olympus"))


def test_a_custom_funnel_needs_no_stage_limits_and_keeps_the_defaults_it_shares():
    from bot.settings import load_settings

    settings = load_settings(
        wecom_corp_id="ww1",
        wecom_agent_id=1,
        wecom_agent_secret="s",
        wecom_token="t",
        wecom_encoding_aes_key="a" * 43,
        scrm_stages="线索,拜访,方案报价,成交,流失",
        _env_file=None,
    )
    assert settings.jobs.funnel.limits == {"方案报价": 14}


def test_the_funnel_is_made_once_from_its_three_variables_for_handlers_and_jobs_alike():
    settings = load_settings(
        **GOOD,
        scrm_stages="线索,试用,方案报价,成交,流失",
        scrm_stage_synonyms="POC:试用",
        scrm_stage_limits="试用:10",
    )
    assert settings.funnel == settings.jobs.funnel
    assert settings.funnel.match("POC") == "试用" and settings.funnel.match("报价") == "方案报价"
    assert settings.funnel.limits == {"试用": 10}


def test_a_word_for_a_stage_not_in_the_funnel_is_named_in_one_line():
    with pytest.raises(ConfigError) as error:
        load_settings(**GOOD, scrm_stage_synonyms="POC:试用")
    assert str(error.value) == "SCRM_STAGE_SYNONYMS: POC:试用: '试用' is not a stage of SCRM_STAGES"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p%40ss@db.example.com:5432/scrm", "postgresql+psycopg://u:p%40ss@db.example.com:5432/scrm"),
        ("postgresql://u@h/scrm", "postgresql+psycopg://u@h/scrm"),
        ("postgresql+psycopg://u@h/scrm", "postgresql+psycopg://u@h/scrm"),
        ("sqlite:///scrm.db", "sqlite:///scrm.db"),
    ],
)
def test_database_urls_as_hosts_hand_them_out_are_accepted(given, used):
    from bot.settings import DatabaseSettings, load

    assert load(DatabaseSettings, database_url=given, _env_file=None).database_url == used


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("foo://bar", "DATABASE_URL: foo:// is not supported"),
        ("mysql://u@h/db", "DATABASE_URL: mysql:// is not supported"),
        ("not a url", "DATABASE_URL: not a database URL"),
        ("sqlite:////no/such/folder/scrm.db", "DATABASE_URL: the folder /no/such/folder does not exist"),
        ("postgres://scrm:S3cr@tP4ss@db.internal/scrm", "DATABASE_URL: URL-encode an @"),  # else the log shows tP4ss
    ],
)
def test_a_database_url_that_cannot_work_is_one_line(given, said):
    from bot.settings import DatabaseSettings, load

    with pytest.raises(ConfigError) as error:
        load(DatabaseSettings, database_url=given, _env_file=None)
    assert str(error.value).startswith(said) and "\n" not in str(error.value)


def test_the_env_file_is_scrm_env_file_when_set_else_dot_env_here(tmp_path, monkeypatch):
    from bot.settings import DatabaseSettings, load

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:///here.db\n")
    (tmp_path / "prod.env").write_text("DATABASE_URL=sqlite:///named.db\n")
    assert load(DatabaseSettings).database_url == "sqlite:///here.db"
    monkeypatch.setenv("SCRM_ENV_FILE", str(tmp_path / "prod.env"))
    assert load(DatabaseSettings).database_url == "sqlite:///named.db"
    monkeypatch.setenv("SCRM_ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ConfigError, match="SCRM_ENV_FILE: no file"):
        load(DatabaseSettings)


def test_json_logs_are_one_object_a_line_and_other_libraries_stay_quiet(capsys):
    import json
    import logging

    from bot import logs

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # pytest's own capture, put back after
    try:
        logs.configure("INFO", "json")
        logging.getLogger("bot.runner").info("dispatcher running: %s", "database sqlite:///scrm.db")
        logging.getLogger("alembic.runtime.migration").info("Running upgrade 0009 -> 0010")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    [line] = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"]) == ("INFO", "bot.runner")
    assert record["message"] == "dispatcher running: database sqlite:///scrm.db" and "time" in record
