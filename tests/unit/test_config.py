"""Settings: camelCase input, validation with messages, layering, hpclsp.toml."""

from __future__ import annotations

from hpclsp import config


def test_camel_case_and_nested():
    s, problems = config.from_dict(
        {"model": {"contextSize": 4096, "maxTokens": 32}, "completion": {"inline": {"debounceMs": 50}}}
    )
    assert s.model.context_size == 4096 and s.model.max_tokens == 32
    assert s.completion.inline.debounce_ms == 50
    assert problems == []


def test_invalid_values_fall_back_with_messages():
    s, problems = config.from_dict(
        {"model": {"backend": "gpt", "threads": "four"}, "nope": 1, "indexes": [1, 2]}
    )
    assert s.model.backend == "llama-cpp" and s.model.threads == 0 and s.indexes == []
    joined = "\n".join(problems)
    assert (
        "model.backend" in joined
        and "model.threads" in joined
        and "hpclsp.nope" in joined
        and "indexes" in joined
    )


def test_section_wrapper_and_shorthands():
    s, problems = config.from_dict(
        {"hpclsp": {"diagnostics": {"select": "omp-race, mpi"}, "completion": {"inline": False}}}
    )
    assert s.diagnostics.select == ["omp-race", "mpi"]
    assert s.completion.inline.enabled is False
    assert not problems


def test_layering_keeps_base():
    base, _ = config.from_dict({"model": {"backend": "none"}})
    s, _ = config.from_dict({"model": {"maxTokens": 10}}, base)
    assert s.model.backend == "none" and s.model.max_tokens == 10
    assert base.model.max_tokens == 64


def test_toml(tmp_path):
    (tmp_path / "hpclsp.toml").write_text('[model]\nbackend = "openai"\nurl = "http://127.0.0.1:9/v1"\n')
    data, problems = config.read_toml(str(tmp_path))
    s, p2 = config.from_dict(data)
    assert s.model.backend == "openai" and not problems and not p2


def test_broken_toml_reports():
    import tempfile

    d = tempfile.mkdtemp()
    with open(f"{d}/hpclsp.toml", "w") as fh:
        fh.write("[model\nbackend=")
    data, problems = config.read_toml(d)
    assert data is None and problems and "keeping the previous settings" in problems[0]


def test_describe_covers_spec_settings():
    keys = {k for k, _, _ in config.describe_settings()}
    for required in (
        "hpclsp.model.backend",
        "hpclsp.model.path",
        "hpclsp.model.url",
        "hpclsp.model.name",
        "hpclsp.model.contextSize",
        "hpclsp.model.threads",
        "hpclsp.model.maxTokens",
        "hpclsp.indexes",
        "hpclsp.embedder.path",
        "hpclsp.diagnostics.select",
        "hpclsp.diagnostics.ignore",
        "hpclsp.suggestions.hints",
        "hpclsp.completion.inline.enabled",
        "hpclsp.completion.inline.debounceMs",
    ):
        assert required in keys
