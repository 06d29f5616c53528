"""Where the bulk stages run: a local process pool (the default, no extra dependency) or Ray (`--engine ray`).

An engine only ships a stage function and its arguments to worker processes and hands the results back in
submission order; the stage functions are the same under both, so the outputs cannot depend on the engine. Ray is
a heavy optional dependency (the `scale` extra): it is imported inside functions, only when `--engine ray` is used.
Here: the runtime (started or joined) and ordered task pools (stream-build's regions); bulk suggestions run on
Ray Data's actor pool instead (corpus.scale.bulk), inside the same runtime.
"""

from __future__ import annotations

import gc
import os
import socket
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from types import ModuleType
from typing import Any, Protocol

from corpus.core.errors import UserError
from corpus.scale import lifetime, raywatch

ENGINES = ("local", "ray")
INSTALL_HINT = ("--engine ray needs Ray, which is not installed: pip install 'corpus[scale]' "
                "(or pip install 'ray[data]')")


class Pending(Protocol):
    """A submitted call: `result()` blocks until it is done (a concurrent.futures.Future has this shape)."""

    def result(self) -> Any: ...


Submit = Callable[..., Pending]


def check_engine(engine: str, address: str | None) -> None:
    """Usage errors before any work starts: unknown engine, --address without Ray, Ray not installed."""
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if address and engine != "ray":
        raise UserError("--address names a Ray cluster: use it with --engine ray")
    if engine == "ray":
        import_ray()


def import_ray() -> ModuleType:
    try:
        import ray  # heavy optional dependency (the `scale` extra): imported only when the Ray engine is asked for
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return ray


@contextmanager
def ray_runtime(address: str | None = None) -> Iterator[ModuleType]:
    """Ray, connected: a runtime this process already started is reused (and left running), else `address`'s
    cluster is joined, else a new local one is started without dashboard; whatever was started here is shut
    down, on every exit path: a local Ray runs in a temp folder of its own watched by corpus.scale.raywatch, which
    ends its processes when this one ends, even by kill -9. A token (RAY_AUTH_TOKEN) is Ray's to read and is
    never printed here."""
    ray = import_ray()
    if address:
        _check_reachable(address)
    if ray.is_initialized():
        yield ray
        return
    watchdog = None
    try:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:  # "local": a new instance even where RAY_ADDRESS or a `ray start` cluster would be picked up
            temp_dir = raywatch.make_temp_dir()
            watchdog = raywatch.start(temp_dir)  # before Ray: a kill during ray.init is cleaned up too
            try:
                ray.init(address="local", include_dashboard=False, log_to_driver=False, _temp_dir=temp_dir)
            except BaseException:
                ray.shutdown()
                raywatch.stop(watchdog)
                raise
    except (ConnectionError, RuntimeError, ValueError) as exc:
        hint = ""
        if address and not os.environ.get("RAY_AUTH_MODE"):
            hint = ("; if the cluster uses token authentication (Ray's default when a token exists where it "
                    "started), set RAY_AUTH_MODE=token and give the cluster's token as RAY_AUTH_TOKEN or in "
                    "~/.ray/auth_token")
        raise UserError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {exc}{hint}") from None
    try:
        yield ray
    finally:
        try:
            ray.shutdown()
        finally:
            if watchdog is not None:
                raywatch.stop(watchdog)


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """A HOST:PORT that does not answer is a usage error now: ray.init would retry it for minutes."""
    host, sep, port = address.rpartition(":")
    if "://" in address or not sep or not port.isdigit():
        return  # "auto", ray://...: left to Ray
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise UserError(f"cannot reach a Ray cluster at {address}: {exc.strerror or exc}") from None


def ray_cpus(ray: ModuleType) -> int:
    """The CPUs of the cluster Ray is connected to: the default number of Ray workers."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


# ---- ordered task pools: the streaming build's regions ----------------------------------------------------------
_INITIALISED: set[str] = set()


def _call_in_ray_worker(initializer: Callable[[], None] | None, fn: Callable[..., Any], *args: Any) -> Any:
    """Runs in a Ray worker: the initializer once per worker process, then `fn` with automatic GC off.

    Ray reuses worker processes for other tasks, so GC is switched back on afterwards (the local pool's workers
    belong to the build and keep it off for their whole life).
    """
    enabled = gc.isenabled()
    if initializer is not None:
        key = f"{initializer.__module__}.{initializer.__qualname__}"
        if key not in _INITIALISED:
            initializer()
            _INITIALISED.add(key)
    gc.disable()
    try:
        return fn(*args)
    finally:
        if enabled:
            gc.enable()


_SHARED: dict[str, Any] = {}  # in a Ray worker: the one shared value it has read (by object id)


@dataclass(frozen=True)
class Shared:
    """A value every call needs (e.g. the seed table), put into Ray's object store once and read once per worker
    process; as a plain argument it would be serialized again with every call. In a tuple, so Ray passes the
    reference itself instead of resolving it before each call."""

    refs: tuple[Any, ...]

    def get(self) -> Any:
        key = self.refs[0].hex()
        if key not in _SHARED:
            ray = import_ray()
            _SHARED.clear()  # one build's value at a time
            _SHARED[key] = ray.get(self.refs[0])
        return _SHARED[key]


def share(value: Any) -> Shared:
    """Put `value` into the object store of the Ray runtime task_pool started or joined."""
    return Shared((import_ray().put(value),))


@dataclass
class _RayPending:
    ray: ModuleType
    ref: Any

    def result(self) -> Any:
        return self.ray.get(self.ref)


@contextmanager
def task_pool(engine: str, workers: int | None, address: str | None = None,
              initializer: Callable[[], None] | None = None) -> Iterator[tuple[Submit, int]]:
    """(submit, workers): `submit(fn, *args)` runs fn(*args) in a worker and returns a Pending.

    local: a fork-based process pool of `workers` processes (default one per core) running `initializer` once;
    the workers die with this process, even when it is killed (corpus.scale.lifetime).
    ray: one Ray task per call (1 CPU each); `workers` defaults to the cluster's CPUs and only sizes the
    caller's window of calls in flight. Functions go to Ray workers by reference: the workers need this package.
    """
    if engine == "local":
        count = workers or os.cpu_count() or 1
        pool = ProcessPoolExecutor(count, mp_context=get_context("fork"), initializer=lifetime.worker_init,
                                   initargs=(os.getpid(), initializer))
        try:
            yield pool.submit, count
        finally:  # on an error the queued calls are dropped, not run to completion first
            pool.shutdown(wait=True, cancel_futures=True)
        return
    check_engine(engine, address)
    with ray_runtime(address) as ray:
        remote = ray.remote(num_cpus=1)(_call_in_ray_worker)

        def submit(fn: Callable[..., Any], *args: Any) -> Pending:
            return _RayPending(ray, remote.remote(initializer, fn, *args))

        yield submit, workers or ray_cpus(ray)


def ordered(submit: Submit, fn: Callable[..., Any], calls: Iterator[tuple[Any, ...]], window: int) -> Iterator[Any]:
    """fn(*args) for each args of `calls`, results in submission order, at most `window` calls in flight."""
    pending: deque[Pending] = deque()
    for args in calls:
        pending.append(submit(fn, *args))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
