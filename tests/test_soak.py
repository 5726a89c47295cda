"""The soak (bench/soak.py) in small: real gunicorn with several workers, real concurrency, real faults."""
import pytest

from faults import CannotMount
from bench import soak

pytestmark = pytest.mark.slow
WORKERS = 3


def assert_ok(report: dict) -> None:
    """Fail with the whole report when a scenario's checks failed."""
    assert report["ok"], report


def test_concurrent_clients_store_exactly_every_event_and_never_see_a_lock(tmp_path, geoip_path):
    report = soak.load(tmp_path, clients=4, events=25, workers=WORKERS, geoip=geoip_path)
    assert_ok(report)
    assert report["rows"] == 100 and report["statuses"] == {"201": 100}


def test_a_worker_killed_mid_run_loses_nothing_it_acknowledged(tmp_path, geoip_path):
    report = soak.kill_a_worker(tmp_path, clients=4, events=250, workers=WORKERS, geoip=geoip_path, after=0.1, kills=2)
    assert_ok(report)
    assert report["killed_mid_run"] and report["acknowledged_but_lost"] == []


def test_racing_retries_with_one_key_store_one_event(tmp_path, geoip_path):
    report = soak.racing_retries(tmp_path, threads=8, rounds=6, workers=WORKERS, geoip=geoip_path)
    assert_ok(report)
    assert report["statuses"] == {"200": 42, "201": 6}


def test_a_lock_held_past_the_busy_timeout_is_a_503_then_service_resumes(tmp_path, geoip_path):
    report = soak.held_lock(tmp_path, workers=2, geoip=geoip_path, busy_timeout_ms=300)
    assert_ok(report)
    assert report["message"].startswith("The database is busy")


@pytest.mark.parametrize("scenario", [soak.full_disk, soak.read_only])
def test_a_full_or_read_only_disk_answers_503_and_service_resumes(tmp_path, geoip_path, scenario):
    try:
        report = scenario(tmp_path, workers=WORKERS, geoip=geoip_path)
    except CannotMount as reason:
        pytest.skip(f"needs a tmpfs mount (run as root): {reason}")
    assert_ok(report)
    assert "nothing was stored" in report["message"]
