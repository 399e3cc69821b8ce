"""Running chunks on a Dask cluster (optional dependency: ``pip install "escalsim[dask]"``).

``dask.distributed`` is imported only when a DaskExecutor is used, never by ``import escalsim``.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from escalsim.ensemble.executors import (
    DEFAULT_RETRIES,
    Executor,
    Task,
    _check_retries,
    _check_workers,
    lost_worker_error,
    split_tail,
)
from escalsim.ensemble.seeds import Chunk
from escalsim.errors import EscalsimError


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise EscalsimError(
            'the Dask executor needs dask.distributed: pip install "escalsim[dask]"'
        ) from exc
    return distributed


_PAYLOAD: dict[str, Any] = {}
"""On a worker: the payload of the latest map, by its token, unpickled once there."""


def _run_on_worker(task: Task, token: str, blob: bytes, chunk: Chunk) -> list:
    payload = _PAYLOAD.get(token)
    if payload is None:
        import cloudpickle

        _PAYLOAD.clear()
        payload = _PAYLOAD[token] = cloudpickle.loads(blob)
    return task(payload, chunk)


class DaskExecutor(Executor):
    """Runs chunks on a Dask cluster.

    ``scheduler`` is a scheduler address (``"tcp://host:8786"``), a ``dask.distributed.Client``
    (used as is and left open), or None: then the current default client if there is one,
    else a new local cluster of ``workers`` single-threaded worker processes (closed with the
    executor). The payload travels with every chunk, pickled once (the flagship's is 32 kB),
    and each worker unpickles it once: no data lives only on a worker, so losing one loses
    nothing but its chunk (a payload scattered to the workers was lost with the last worker
    that held it, and the scheduler drops copies it deems spare). A chunk whose worker is lost is
    rescheduled by Dask; if Dask gives up on it (``KilledWorker``) it is submitted again, at
    most ``max_retries`` times.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: Any = None,
        *,
        workers: int | None = None,
        max_retries: int = DEFAULT_RETRIES,
    ) -> None:
        distributed = _distributed()
        if scheduler is not None and not isinstance(scheduler, (str, distributed.Client)):
            raise TypeError(
                "scheduler must be an address string or a dask.distributed.Client, "
                f"got {type(scheduler).__name__}"
            )
        if isinstance(scheduler, distributed.Client) and workers is not None:
            raise ValueError("workers cannot be set when a Client is given")
        self._scheduler = scheduler
        self._workers_wanted = None if workers is None else _check_workers(workers)
        self.max_retries = _check_retries(max_retries)
        self._client: Any = None
        self._cluster: Any = None
        self._owns_client = False

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        distributed = _distributed()
        if isinstance(self._scheduler, distributed.Client):
            self._client = self._scheduler
        elif isinstance(self._scheduler, str):
            self._client = distributed.Client(self._scheduler)
            self._owns_client = True
        else:
            try:
                self._client = distributed.get_client()
            except ValueError:
                import dask

                # the workers' statistical profiler samples their stacks every 10 ms for the
                # dashboard: on a cluster made for these runs alone it costs 4 points of
                # parallel efficiency (benchmarks/README.md) and shows nothing one needs
                with dask.config.set({"distributed.worker.profile.enabled": False}):
                    self._cluster = distributed.LocalCluster(
                        n_workers=_check_workers(self._workers_wanted),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",
                    )
                self._client = distributed.Client(self._cluster)
                self._owns_client = True
        return self._client

    @property
    def workers(self) -> int:
        """The number of worker threads in the cluster (connecting to it if needed)."""
        return max(1, sum(self._connect().nthreads().values()))

    def map(self, task: Task, payload: Any, chunks: Iterable[Chunk]) -> Iterator[list]:
        distributed = _distributed()
        client = self._connect()
        import cloudpickle

        token, blob = uuid.uuid4().hex, cloudpickle.dumps(payload)
        workers = self.workers
        todo = split_tail(chunks, workers)
        window = 2 * workers
        pending: deque[list[list[Any]]] = deque()  # per chunk, its pieces [piece, future, tries]

        def submit(chunk: Chunk) -> Any:
            return client.submit(_run_on_worker, task, token, blob, chunk, pure=False)

        def fill() -> None:
            while len(pending) < window:
                item = next(todo, None)
                if item is None:
                    return
                pending.append([[piece, submit(piece), 1] for piece in item[1]])

        def collect(pieces: list[list[Any]]) -> list:
            result: list = []
            for entry in pieces:
                while True:
                    piece, future, attempts = entry
                    try:
                        result.extend(future.result())
                        break
                    except distributed.KilledWorker:
                        if attempts > self.max_retries:
                            raise lost_worker_error(piece, attempts) from None
                        entry[1:] = [submit(piece), attempts + 1]
            return result

        try:
            fill()
            while pending:
                result = collect(pending[0])
                pending.popleft()
                fill()
                yield result
        finally:
            for pieces in pending:
                for _, future, _ in pieces:
                    future.cancel()

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
        self._owns_client = False

    def __repr__(self) -> str:
        return f"DaskExecutor(scheduler={self._scheduler!r})"
