import pytest

from tests.compare.data import make_directory


@pytest.fixture
def directory(db):
    """FLUX.1 Pro, Baidu: ERNIE 4.5 VL (models) and sdnext (a repository), ranked."""
    return make_directory()
