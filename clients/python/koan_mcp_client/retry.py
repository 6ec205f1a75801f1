"""Retry policy: exponential backoff with full jitter, capped, honouring the server's Retry-After."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class RetryPolicy:
    """`attempts` counts the first try too; `attempts=1` means no retry.

    Delay before retry n (0-based) is uniform in [0, min(max_delay, base_delay * 2**n)] ("full jitter"), so
    many clients that lost the same server do not come back in lock-step; a Retry-After from the server is a floor.
    """

    attempts: int = 6
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_delay))
        return backoff


NO_RETRY = RetryPolicy(attempts=1)
