// Jobs the API runs off a queue (bulk invitations, the company export): poll until done.
import { useEffect, useRef, useState } from "preact/hooks";
import { authed } from "./session.js";

const FINISHED = new Set(["done", "failed"]);

/** The job `jobId` as it progresses: polled every `everyMs` until it is done or failed. */
export function useJob(jobId, everyMs = 1000) {
  const [state, setState] = useState({ job: null, error: null });
  const alive = useRef(true);
  useEffect(() => () => (alive.current = false), []);
  useEffect(() => {
    if (!jobId) return undefined;
    let timer = null;
    let current = true;
    setState({ job: null, error: null });
    const poll = async () => {
      try {
        const job = await authed(`/jobs/${encodeURIComponent(jobId)}`);
        if (!current || !alive.current) return;
        setState({ job, error: null });
        if (!FINISHED.has(job.status)) timer = setTimeout(poll, everyMs);
      } catch (error) {
        if (current && alive.current) setState((s) => ({ ...s, error }));
      }
    };
    poll();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [jobId]);
  return state;
}
