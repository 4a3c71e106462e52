"""Site modules in Chromium without the stack: the chunk store's ArrayBuffer path, caption tracks.

The static site is served from disk through Playwright's router on a made-up origin, so these
checks take a second each: WebKit needs the ArrayBuffer path (it refuses Blobs in IndexedDB),
and forcing it here proves it in Chromium's IndexedDB too.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from typing import Any

import pytest

from tests.drivers.a11y import assert_accessible
from tests.drivers.local_stack import ROOT

pytestmark = pytest.mark.e2e

SITE = ROOT / "static_site"
ORIGIN = "http://127.0.0.1:9"  # never contacted: the router answers every request
TYPES = {".js": "text/javascript", ".json": "application/json", ".vtt": "text/vtt"}
IMPORT_MAP = """<script type="importmap">{"imports": {
  "preact": "/shared/vendor/preact.module.js", "preact/hooks": "/shared/vendor/hooks.module.js",
  "htm": "/shared/vendor/htm.module.js", "htm/preact": "/shared/vendor/htm-preact.module.js"}}
</script>"""
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello, I am Ann.\n"


@pytest.fixture
def site(page: Any) -> Iterator[Any]:
    """A page on an origin that serves static_site/ from disk (and a test page at /test.html)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def serve(route: Any) -> None:
        path = route.request.url[len(ORIGIN) :].split("?", 1)[0]
        if path == "/test.html":
            html = f'<!doctype html><html lang="en"><head><title>Modules</title>{IMPORT_MAP}'
            html += "</head><body><main id='root'></main></body></html>"
            route.fulfill(status=200, content_type="text/html", body=html)
            return
        if path.startswith("/captions/"):
            route.fulfill(
                status=200,
                content_type="text/vtt",
                body=VTT,
                headers={"Access-Control-Allow-Origin": "*"},
            )
            return
        file = (SITE / path.lstrip("/")).resolve()
        if not file.is_relative_to(SITE) or not file.is_file():
            route.fulfill(status=404, body="not found")
            return
        kind = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "text/plain"
        route.fulfill(status=200, content_type=kind, body=file.read_bytes())

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/test.html")
    yield page
    assert not errors, errors


def test_chunks_kept_as_array_buffers_read_back_as_the_same_blobs_after_a_reopen(
    site: Any,
) -> None:
    # GIVEN the chunk store forced onto the path WebKit takes (no Blobs in IndexedDB)
    result = site.evaluate(
        """async () => {
            const { openStore } = await import('/candidate/chunk-store.js');
            const native = await openStore();
            const store = await openStore({ blobs: false });
            const id = 'owner/q1/1';
            await store.createAttempt({ id, owner: 'owner', questionId: 'q1', attempt: 1,
                                        mimeType: 'audio/mp4' });
            // WHEN two chunks are written, then the store is opened again (as after a reload)
            const bytes = new Uint8Array([1, 2, 3]);
            await store.putChunk(id, 0, new Blob([bytes], { type: 'audio/mp4' }));
            await store.putChunk(id, 1, new Blob(['four'], { type: 'audio/mp4' }));
            store.db.close();
            const again = await openStore({ blobs: false });
            const rows = await new Promise((resolve) => {
                const request = again.db.transaction('chunks').objectStore('chunks').getAll();
                request.onsuccess = () => resolve(request.result);
            });
            const first = await again.getChunk(id, 0);
            const second = await again.getChunk(id, 1);
            const [attempt] = await again.attemptsOf('owner');
            return {
                nativeBlobs: native.blobs,
                stored: rows.map((r) => [r.blob === undefined, r.buffer instanceof ArrayBuffer]),
                first: [first instanceof Blob, first.type,
                        [...new Uint8Array(await first.arrayBuffer())]],
                second: await second.text(),
                pending: await again.chunksOf(id),
                counted: [attempt.recorded, attempt.bytes],
            };
        }"""
    )
    # THEN Chromium itself stores Blobs, and the forced path stores ArrayBuffers only
    assert result["nativeBlobs"] is True
    assert result["stored"] == [[True, True], [True, True]]
    # AND each chunk comes back as a Blob with its bytes and type, counted once
    assert result["first"] == [True, "audio/mp4", [1, 2, 3]]
    assert result["second"] == "four"
    assert result["pending"] == [{"index": 0, "size": 3}, {"index": 1, "size": 4}]
    assert result["counted"] == [2, 7]


def test_a_recorded_answer_with_captions_offers_a_captions_track(site: Any) -> None:
    # GIVEN answers as the review API returns them: one with captions, one without
    site.evaluate(
        """async (origin) => {
            const { render } = await import('preact');
            const { html } = await import('/shared/ui.js');
            const { AnswerView } = await import('/shared/answers.js');
            const base = { status: 'ready', attempt: 1, duration_seconds: 2 };
            const answers = [
                { ...base, question_id: 'q1', position: 1, text: 'Tell us about you',
                  answer_type: 'audio', audio_url: `${origin}/captions/none.m4a`,
                  captions: [{ language: 'en', url: `${origin}/captions/en.vtt` },
                             { language: 'pt-BR', url: `${origin}/captions/pt.vtt` }] },
                { ...base, question_id: 'q2', position: 2, text: 'And your team',
                  answer_type: 'audio', audio_url: `${origin}/captions/none.m4a`, captions: [] },
            ];
            render(html`${answers.map((a, i) => html`<${AnswerView} answer=${a} index=${i}
                total=${2} speed=${1} setSpeed=${() => {}} />`)}`,
                document.getElementById('root'));
        }""",
        ORIGIN,
    )
    # WHEN the player is shown THEN the captioned answer has one track per language
    site.wait_for_selector("[data-question=q1] audio track", state="attached")
    tracks = site.eval_on_selector_all(
        "[data-question=q1] audio track",
        "(ts) => ts.map((t) => [t.kind, t.srclang, t.label, t.default, t.src])",
    )
    assert tracks == [
        ["captions", "en", "English", True, f"{ORIGIN}/captions/en.vtt"],
        ["captions", "pt-BR", "português (Brasil)", False, f"{ORIGIN}/captions/pt.vtt"],
    ]
    # AND fetches them with CORS (they live on the media bucket's origin), the other has none
    assert site.get_attribute("[data-question=q1] audio", "crossorigin") == "anonymous"
    # AND the default track is loaded: its cue is the WebVTT file's text
    cue = site.wait_for_function(
        """() => { const t = document.querySelector('[data-question=q1] audio').textTracks[0];
                   return t && t.cues && t.cues.length && t.cues[0].text; }"""
    )
    assert cue.json_value() == "Hello, I am Ann."
    assert site.locator("[data-question=q2] audio track").count() == 0
    assert site.get_attribute("[data-question=q2] audio", "crossorigin") is None
    assert_accessible(site, "answers with and without captions")
