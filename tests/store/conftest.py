import pytest

from policyhub.store.config import StoreConfig


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("test-key-" + "k" * 40 + "\n")
    return str(path)


@pytest.fixture
def store_config(store_url, key_file, tmp_path):
    return StoreConfig(store=store_url, state_dir=str(tmp_path / "state"), key_file=key_file)


@pytest.fixture
def store(store_config):
    from policyhub.store.config import open_store

    opened, _ = open_store(store_config, migrate=True)
    yield opened
    opened.close()


@pytest.fixture
def pseudonymise(store_config):
    from policyhub.store.pseudonym import Pseudonymiser

    return Pseudonymiser(store_config.key())
