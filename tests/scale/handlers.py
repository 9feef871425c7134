"""A job kind for the scale tests only (registered through JOB_HANDLER_MODULES): it works
for ``params["seconds"]`` seconds, reporting progress (and so its heartbeat) as it goes,
and records which worker ran it, so a test can kill that worker mid-job."""

from __future__ import annotations

import time

from survey_platform.jobs.registry import JobOutput, handler

KIND = "scale_test_sleep"


@handler(KIND)
def sleep_job(job, progress) -> JobOutput:
    seconds = float(job.params.get("seconds", 0.2))
    steps = 10
    for i in range(steps):
        time.sleep(seconds / steps)
        progress(int(100 * (i + 1) / steps), "Working")
    body = f"{job.public_id} {job.worker}\n".encode()
    return JobOutput(filename="sleep.txt", content_type="text/plain", content=body)
