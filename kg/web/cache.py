"""Answers kept for the queries that are asked again.

The dataset cannot change while the server runs, so a job (the query text,
the ``Accept`` header, the protocol's dataset) gets the same answer every
time: the server keeps the answers it sent last, up to a memory budget, and a
query asked again costs no worker.  Kept are the serialized answers of the
protocol (``/sparql`` and the saved queries' downloads) that depend on the job
alone: successes and the client's errors (bad syntax, a cap exceeded), never a
503 (time limit, busy, memory), which may go the other way next time.  The
ETag of a response is a hash of its body (kg.web.middleware), so a cached
answer keeps its ETag.
"""

from __future__ import annotations

from collections import OrderedDict

from kg.web.answers import Answer, Job

OVERHEAD = 512  # bytes counted for an entry besides its body and query text: the objects around them


class AnswerCache:
    """The least recently used answers, within ``budget`` bytes; none larger than ``largest`` bytes is kept.

    >>> cache = AnswerCache(budget=2000, largest=1500)
    >>> job = Job(query="ASK {}")
    >>> cache.put(job, Answer(status=200, body=b"true"))
    >>> cache.get(job).body, cache.get(Job(query="ASK { ?s ?p ?o }"))
    (b'true', None)
    """

    def __init__(self, *, budget: int, largest: int) -> None:
        self.budget, self.largest, self.size = budget, largest, 0
        self._answers: OrderedDict[Job, tuple[Answer, int]] = OrderedDict()

    def get(self, job: Job) -> Answer | None:
        found = self._answers.get(job)
        if found is None:
            return None
        self._answers.move_to_end(job)
        return found[0]

    def put(self, job: Job, answer: Answer) -> None:
        if job.purpose != "protocol" or answer.status >= 500:
            return
        size = len(answer.body) + len(job.query) + len(job.accept or "") + sum(map(len, job.default_graphs + job.named_graphs)) + OVERHEAD
        if size > self.largest or job in self._answers:
            return
        self._answers[job] = (answer, size)
        self.size += size
        while self.size > self.budget:
            _, (_, dropped) = self._answers.popitem(last=False)
            self.size -= dropped

    def __len__(self) -> int:
        return len(self._answers)
