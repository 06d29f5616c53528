"""Engines (issue 18): usage errors, results in submission order with a bounded window, local pool and Ray."""

from __future__ import annotations

import os
import socket
from types import ModuleType

import pytest

from corpus.core.errors import UserError
from corpus.scale import engines


def test_engine_usage_errors() -> None:
    engines.check_engine("local", None)
    with pytest.raises(UserError, match="unknown engine 'dask'"):
        engines.check_engine("dask", None)
    with pytest.raises(UserError, match="--address"):
        engines.check_engine("local", "10.0.0.1:6379")


def test_ordered_keeps_submission_order_and_bounds_the_window() -> None:
    in_flight: list[int] = []

    class Done:
        def __init__(self, value: int) -> None:
            self.value = value
            in_flight.append(value)

        def result(self) -> int:
            in_flight.remove(self.value)
            return self.value

    def submit(fn: object, k: int) -> Done:
        assert len(in_flight) < 3  # never more than `window` calls submitted and unread
        return Done(k * k)

    assert list(engines.ordered(submit, None, ((k,) for k in range(10)), 3)) == [k * k for k in range(10)]
    assert in_flight == []


def test_local_pool_runs_in_other_processes_in_order() -> None:
    with engines.task_pool("local", 2) as (submit, workers):
        assert workers == 2
        got = list(engines.ordered(submit, pow, ((2, k) for k in range(20)), 4))
        pids = {submit(os.getpid).result() for _ in range(4)}
    assert got == [2 ** k for k in range(20)]
    assert os.getpid() not in pids


@pytest.mark.ray
def test_ray_tasks_and_actors_in_order(ray_local: ModuleType) -> None:
    with engines.task_pool("ray", None) as (submit, workers):
        assert workers == 2  # the session's local Ray has 2 CPUs
        assert list(engines.ordered(submit, pow, ((3, k) for k in range(12)), 4)) == [3 ** k for k in range(12)]
        assert submit(os.getpid).result() != os.getpid()
    with engines.ray_runtime(None) as ray:
        assert ray is ray_local and ray.is_initialized()
    assert ray_local.is_initialized()  # a runtime the caller started is not shut down


def test_an_address_nobody_answers_is_a_usage_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UserError, match=f"cannot reach a Ray cluster at 127.0.0.1:{port}"), \
            engines.ray_runtime(f"127.0.0.1:{port}"):
        pass
