"""The timing rule both PyTorch twins share: warm up, then the median of several timed segments
of many calls each, so one segment disturbed by another process does not move the result."""
import statistics
import time


def seconds_per_call(fn, segments=7, segment_seconds=0.1, warmup_seconds=0.2):
    """Median over `segments` timed segments of the time of one call, after a warm-up."""
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < warmup_seconds or calls < 3:
        fn()
        calls += 1
    per_segment = max(1, int(segment_seconds * calls / (time.perf_counter() - start)))
    times = []
    for _ in range(segments):
        start = time.perf_counter()
        for _ in range(per_segment):
            fn()
        times.append((time.perf_counter() - start) / per_segment)
    return statistics.median(times)
